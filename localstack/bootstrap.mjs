#!/usr/bin/env node
// Installs what `npm start` and `npm test` need and is missing: node_modules (npm ci) and the
// Python virtualenv (the emulator, and cfn-lint for the synthesized templates). Node built-ins
// only, because it runs before npm ci.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const venv = process.env.GROUNDCREW_VENV ?? join(root, ".local", "venv");
const requirements = join(root, "localstack", "requirements.txt");

function run(command, args, options = {}) {
  console.log(`[bootstrap] ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (result.status !== 0) {
    console.error(`[bootstrap] ${command} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

function nodeModulesCurrent() {
  const marker = join(root, "node_modules", ".package-lock.json");
  if (!existsSync(marker)) return false;
  return statSync(marker).mtimeMs >= statSync(join(root, "package-lock.json")).mtimeMs;
}

function findPython() {
  for (const candidate of [process.env.PYTHON, "python3.11", "python3", "python"]) {
    if (!candidate) continue;
    const probe = spawnSync(candidate, ["-c", "import sys; print(sys.version_info >= (3, 10))"], { encoding: "utf8" });
    if (probe.status === 0 && probe.stdout.trim() === "True") return candidate;
  }
  return undefined;
}

function ensureVenv() {
  const wanted = readFileSync(requirements, "utf8");
  const stamp = join(venv, ".requirements");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === wanted) return;
  const python = findPython();
  if (!python) {
    console.error(
      "[bootstrap] Python >= 3.10 is needed for the project's virtualenv (the ministack emulator and cfn-lint); install python3",
    );
    process.exit(1);
  }
  mkdirSync(dirname(venv), { recursive: true });
  if (!existsSync(join(venv, "bin", "python"))) run(python, ["-m", "venv", venv]);
  run(join(venv, "bin", "python"), [
    "-m",
    "pip",
    "install",
    "--quiet",
    "--disable-pip-version-check",
    "-r",
    requirements,
  ]);
  writeFileSync(stamp, wanted);
}

if (!nodeModulesCurrent()) run("npm", ["ci", "--no-audit", "--no-fund"]);
// Always: `npm test` lints the templates with the venv's cfn-lint even when an emulator (a LocalStack
// container, say) already answers and ministack itself is not needed.
ensureVenv();
// The real LocalStack (host mode) lives in its own venv, installed only when it is the chosen emulator.
if (process.env.GROUNDCREW_EMULATOR === "localstack") (await import("./localstack-venv.mjs")).ensureLocalStackVenv();
