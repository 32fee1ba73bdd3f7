#!/usr/bin/env node
// Installs the real LocalStack (host mode, no Docker) into its own virtualenv, .local/venv-localstack,
// with Groundcrew's host-process Lambda executor (localstack/host-executor) as an editable package.
// Only for GROUNDCREW_EMULATOR=localstack; ministack keeps .local/venv. Node built-ins only, like
// bootstrap.mjs, which calls it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const localStackVenv = process.env.GROUNDCREW_LOCALSTACK_VENV ?? join(root, ".local", "venv-localstack");
const requirements = join(root, "localstack", "requirements-localstack.txt");
const executorPackage = join(root, "localstack", "host-executor");
// localstack-core 2026.3.0 uses PEP 695 syntax: 3.11 fails at import.
const minimum = [3, 12];

function run(command, args) {
  console.log(`[localstack-venv] ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`[localstack-venv] ${command} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

function version(python) {
  const probe = spawnSync(python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" });
  if (probe.status !== 0) return undefined;
  const [major, minor] = probe.stdout.trim().split(".").map(Number);
  return { major, minor };
}

/** Interpreters to try, best first: an explicit choice, versioned names on the PATH, pyenv's versions. */
function candidates() {
  const found = [process.env.GROUNDCREW_LOCALSTACK_PYTHON, "python3.13", "python3.12"];
  const pyenvRoot = spawnSync("pyenv", ["root"], { encoding: "utf8" });
  const pyenvDir = pyenvRoot.status === 0 ? pyenvRoot.stdout.trim() : join(process.env.HOME ?? "/", ".pyenv");
  const versions = join(pyenvDir, "versions");
  if (existsSync(versions)) {
    const newestFirst = readdirSync(versions)
      .filter((name) => /^3\.\d+\.\d+$/.test(name))
      .sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
    for (const name of newestFirst) found.push(join(versions, name, "bin", "python3"));
  }
  found.push("python3");
  return found.filter(Boolean);
}

export function findPython() {
  for (const python of candidates()) {
    const v = version(python);
    if (v && (v.major > minimum[0] || (v.major === minimum[0] && v.minor >= minimum[1]))) return python;
  }
  return undefined;
}

export function ensureLocalStackVenv() {
  // The stamp covers both what pip installs and the executor's packaging, so either change reinstalls.
  const wanted = readFileSync(requirements, "utf8") + readFileSync(join(executorPackage, "pyproject.toml"), "utf8");
  const stamp = join(localStackVenv, ".requirements");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === wanted) return localStackVenv;
  const python = findPython();
  if (!python) {
    console.error(
      `[localstack-venv] GROUNDCREW_EMULATOR=localstack needs Python >= ${minimum.join(".")} (LocalStack 2026.3 uses ` +
        "PEP 695 syntax) and none was found: tried python3.13, python3.12, pyenv's versions and python3. " +
        "Install one (e.g. `pyenv install 3.13`) or point GROUNDCREW_LOCALSTACK_PYTHON at it.",
    );
    process.exit(1);
  }
  mkdirSync(dirname(localStackVenv), { recursive: true });
  if (!existsSync(join(localStackVenv, "bin", "python"))) run(python, ["-m", "venv", localStackVenv]);
  const pip = [join(localStackVenv, "bin", "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"];
  run(pip[0], [...pip.slice(1), "-r", requirements]);
  // Editable: the executor finds its runtime scripts (node-runtime.mjs, python-runtime.py) next to its sources.
  run(pip[0], [...pip.slice(1), "-e", executorPackage]);
  writeFileSync(stamp, wanted);
  return localStackVenv;
}

if (import.meta.url === `file://${process.argv[1]}`) ensureLocalStackVenv();
