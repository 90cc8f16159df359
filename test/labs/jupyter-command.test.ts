// `npm run labs`: --allow-root is added (and said) exactly when running as root, and the real command starts
// Jupyter Notebook on this machine (root in CI), serves its API, and stops with the command.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { notebookCommand, DEFAULT_LAB_PYTHON } from "../../src/labs/jupyter-command.ts";
import { REPO_ROOT } from "../../src/stack/paths.ts";
import { freePort, tempDir } from "../helpers/free-port.ts";

test("as root --allow-root is added once and said in one line; otherwise nothing is added", () => {
  const root = notebookCommand({ uid: 0, argv: ["--no-browser"], env: { PATH: "/usr/bin" } });
  assert.deepEqual(root.args.slice(-2), ["--no-browser", "--allow-root"]);
  assert.equal(root.notes.filter((n) => /running as root: added --allow-root/.test(n)).length, 1);
  assert.equal(root.command, DEFAULT_LAB_PYTHON);
  assert.equal(root.env["JUPYTER_PATH"], join(REPO_ROOT, ".jupyter", "share", "jupyter"));
  assert.ok(root.env["PATH"]!.startsWith(join(REPO_ROOT, "node_modules", ".bin")), "tslab is found by name");

  const again = notebookCommand({ uid: 0, argv: ["--allow-root"], env: {} });
  assert.equal(again.args.filter((a) => a === "--allow-root").length, 1);
  assert.ok(!again.notes.some((n) => /allow-root/.test(n)));

  const user = notebookCommand({ uid: 1000, env: { LAB_PYTHON: "python3" } });
  assert.ok(!user.args.includes("--allow-root"));
  assert.equal(user.command, "python3");
});

/** Jupyter Notebook is Debian's python3 module here: skip loudly without it, fail in CI. */
function notebookSkip(): string | false {
  if (spawnSync(DEFAULT_LAB_PYTHON, ["-c", "import notebook"]).status === 0) return false;
  const hint = "Debian/Ubuntu: sudo apt-get install jupyter-notebook";
  if (process.env.CI) throw new Error(`Jupyter Notebook is required in CI (${hint})`);
  const reason = `SKIPPED: Jupyter Notebook is not installed (${hint})`;
  console.warn(`\n*** ${reason} ***\n`);
  return reason;
}

test("npm run labs starts Jupyter Notebook (as root too) and stops it with SIGTERM", { skip: notebookSkip(), timeout: 90_000 }, async () => {
  const port = await freePort();
  const dirs = tempDir("labs-jupyter");
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/labs.ts", "--no-browser", `--port=${port}`, "--ip=127.0.0.1"], {
    cwd: REPO_ROOT,
    // Jupyter's own state goes to a temp folder, never the user's.
    env: { ...process.env, JUPYTER_RUNTIME_DIR: join(dirs.dir, "runtime"), JUPYTER_CONFIG_DIR: join(dirs.dir, "config"), JUPYTER_DATA_DIR: join(dirs.dir, "data") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (b: Buffer) => (out += b));
  child.stderr.on("data", (b: Buffer) => (out += b));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    let api: Response | null = null;
    const deadline = Date.now() + 60_000;
    while (child.exitCode === null && Date.now() < deadline) {
      api = await fetch(`http://127.0.0.1:${port}/api`, { signal: AbortSignal.timeout(1000) }).catch(() => null);
      if (api?.ok) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.equal(api?.ok, true, `Jupyter did not answer on ${port}:\n${out}`);
    assert.match(String(((await api!.json()) as { version?: string }).version), /^\d+\./);
    if (process.getuid?.() === 0) assert.match(out, /running as root: added --allow-root/);
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    assert.notEqual(child.exitCode ?? child.signalCode, null, "npm run labs exited after SIGTERM");
    await assert.rejects(fetch(`http://127.0.0.1:${port}/api`, { signal: AbortSignal.timeout(2000) }), "Jupyter stopped with it");
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    dirs.cleanup();
  }
});
