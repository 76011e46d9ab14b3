export {
  connectRedis,
  DEFAULT_REDIS_URL,
  duplicateRedis,
  quitRedis,
  type RedisConnectOptions,
  RedisUnreachableError,
  redactRedisUrl,
} from "./connect.js";
export { createRedisBackend, type RedisBackend, type RedisBackendOptions } from "./redis-backend.js";
export { RedisEventBus, type RedisEventBusOptions } from "./redis-event-bus.js";
export { RedisStateStore, type RedisStateStoreOptions } from "./redis-state-store.js";
