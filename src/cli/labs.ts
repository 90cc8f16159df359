// `npm run labs`: opens the lab notebooks in classic Jupyter Notebook with the project's tslab kernel.
// Extra arguments go to Jupyter (`npm run labs -- --no-browser --port 8890`); as root --allow-root is added.
import { spawn } from "node:child_process";
import { notebookCommand } from "../labs/jupyter-command.ts";

const cmd = notebookCommand({ argv: process.argv.slice(2) });
for (const note of cmd.notes) process.stdout.write(`${note}\n`);
const child = spawn(cmd.command, [...cmd.args], { env: cmd.env, stdio: "inherit" });
child.once("error", (err) => {
  process.stderr.write(`error: could not run ${cmd.command} (${err.message}). Install Jupyter (Debian/Ubuntu: sudo apt-get install jupyter-notebook python3-ipykernel) or set LAB_PYTHON to a Python that has it.\n`);
  process.exit(2);
});
// Ctrl-C reaches Jupyter from the terminal itself (it asks to confirm); wait for it instead of leaving it behind.
process.on("SIGINT", () => {});
for (const signal of ["SIGTERM", "SIGHUP"] as const) process.on(signal, () => child.kill(signal));
child.once("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
