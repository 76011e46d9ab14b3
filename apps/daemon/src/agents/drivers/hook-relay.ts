import { HOOK_TOKEN_VARIABLE } from "./hook-listener.js";

/** The environment variable that carries the hook listener's URL to the relay. */
export const HOOK_URL_VARIABLE = "CCA_HOOK_URL";

/**
 * Posts the JSON on stdin to the listener, named `process.argv[1]` when given (a status
 * line's input has no `hook_event_name`), and prints the answer's `text`, if any. Claude
 * Code runs it through Node (the daemon's own executable) for what cannot be an HTTP hook:
 * SessionStart, and the status line command.
 */
const RELAY_SCRIPT = [
  'let body="";',
  'process.stdin.on("data",(c)=>{body+=c}).on("end",()=>{',
  "const name=process.argv[1];",
  "if(name){try{body=JSON.stringify({...JSON.parse(body),hook_event_name:name})}catch{}}",
  `fetch(process.env.${HOOK_URL_VARIABLE},{method:"POST",`,
  `headers:{"content-type":"application/json",authorization:"Bearer "+process.env.${HOOK_TOKEN_VARIABLE}},body})`,
  '.then((r)=>r.json()).then((a)=>{if(typeof a?.text==="string")process.stdout.write(a.text)})',
  ".catch(()=>{}).finally(()=>process.exit(0))});",
].join("");

/** Quotes one word for the POSIX shell that runs a command hook. */
function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The shell command that relays its stdin to the listener, as `eventName` if given. */
export function relayCommand(nodePath: string, eventName?: string): string {
  const command = `${shellQuote(nodePath)} -e ${shellQuote(RELAY_SCRIPT)}`;
  return eventName ? `${command} ${shellQuote(eventName)}` : command;
}
