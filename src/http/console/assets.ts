/**
 * The console's script and style sheet, served from the web process itself under
 * `/console/assets/` (a City's network may have no CDN), each named by a hash of its content so
 * browsers may keep it for a year.
 *
 * Where they come from depends on how the line runs:
 * - from TypeScript sources (`npm run dev`, the tests), esbuild bundles `src/console-client/` in
 *   memory the first time a page asks, so what is served is never older than the code;
 * - compiled (`npm start` after `npm run build`), the files `scripts/build-console.ts` wrote to
 *   `dist/console/` are read, with the manifest that names them. esbuild is not needed at run time.
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";

/** One served file. */
export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
}

export interface ConsoleAssets {
  /** The file names pages link to (`console-3F2A9C1B.js`). */
  script: string;
  style: string;
  files: ReadonlyMap<string, ConsoleAsset>;
}

/** What `dist/console/manifest.json` holds. */
export interface ConsoleManifest {
  script: string;
  style: string;
}

/** The console's assets could not be had: the message says what to run. */
export class ConsoleAssetsError extends Error {
  override readonly name = "ConsoleAssetsError";
}

const CLIENT_DIR = fileURLToPath(new URL("../../console-client/", import.meta.url));
const BUILT_DIR = fileURLToPath(new URL("../../console/", import.meta.url));

/** The manifest's name in the output folder. */
export const MANIFEST = "manifest.json";

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

function contentType(file: string): string {
  const dot = file.lastIndexOf(".");
  return CONTENT_TYPES[file.slice(dot)] ?? "application/octet-stream";
}

/**
 * Bundles the browser code and the style sheet with esbuild. esbuild is a development
 * dependency, so it is imported only here, when asked.
 *
 * @param options.minify - smaller files for production; the dev and test bundles stay readable
 */
export async function bundleConsole(options: { minify?: boolean } = {}): Promise<ConsoleAssets> {
  const esbuild = await import("esbuild").catch(() => {
    throw new ConsoleAssetsError("the console's scripts were not built and esbuild is not installed: run npm run build (with the dev dependencies installed)");
  });
  const result = await esbuild.build({
    entryPoints: { console: `${CLIENT_DIR}main.ts`, style: `${CLIENT_DIR}console.css` },
    bundle: true,
    format: "esm",
    target: ["chrome109", "firefox115", "safari16"],
    entryNames: "[name]-[hash]",
    outdir: "/console-assets",
    write: false,
    minify: options.minify ?? false,
    legalComments: "eof",
    logLevel: "silent",
  });
  const files = new Map<string, ConsoleAsset>();
  for (const output of result.outputFiles) {
    const name = basename(output.path);
    files.set(name, { body: Buffer.from(output.contents), contentType: contentType(name) });
  }
  const script = [...files.keys()].find((name) => /^console-[A-Z0-9]+\.js$/.test(name));
  const style = [...files.keys()].find((name) => /^style-[A-Z0-9]+\.css$/.test(name));
  if (!script || !style) throw new ConsoleAssetsError(`esbuild gave no console script or style sheet (got ${[...files.keys()].join(", ")})`);
  return { script, style, files };
}

/** Reads what `npm run build` wrote to `dir`. */
export async function readBuiltConsole(dir = BUILT_DIR): Promise<ConsoleAssets> {
  let manifest: ConsoleManifest;
  try {
    manifest = JSON.parse(await readFile(`${dir}${MANIFEST}`, "utf8")) as ConsoleManifest;
  } catch {
    throw new ConsoleAssetsError(`the console's scripts are missing from ${dir}: run npm run build`);
  }
  const files = new Map<string, ConsoleAsset>();
  for (const name of [manifest.script, manifest.style]) {
    files.set(name, { body: await readFile(`${dir}${name}`), contentType: contentType(name) });
  }
  return { script: manifest.script, style: manifest.style, files };
}

/** True when this module runs from its TypeScript source (tsx, vitest) rather than compiled. */
export function runningFromSource(): boolean {
  return import.meta.url.endsWith(".ts");
}

let loading: Promise<ConsoleAssets> | undefined;

/**
 * The assets this process serves, bundled or read once and kept. A failure is not kept, so a
 * page asked for after `npm run build` finished gets the files.
 */
export function consoleAssets(): Promise<ConsoleAssets> {
  loading ??= (runningFromSource() ? bundleConsole() : readBuiltConsole()).catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
