/**
 * `npm run build`'s second step: bundles the console's browser code and style sheet with esbuild
 * into `dist/console/`, each file named by its content's hash, and writes the manifest the
 * compiled web process reads to link them. (Run from sources, the web process bundles them itself.)
 */
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { bundleConsole, MANIFEST, type ConsoleManifest } from "../src/http/console/assets.js";

const outDir = process.argv[2] ?? "dist/console";

const assets = await bundleConsole({ minify: true });
await mkdir(outDir, { recursive: true });
// Old hashed files would pile up with every build; only this build's are kept.
for (const file of await readdir(outDir)) await rm(join(outDir, file));
for (const [name, file] of assets.files) await writeFile(join(outDir, name), file.body);
const manifest: ConsoleManifest = { script: assets.script, style: assets.style };
await writeFile(join(outDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
const sizes = [...assets.files].map(([name, file]) => `${name} (${Math.round(file.body.length / 1024)} KB)`);
console.log(`console assets in ${outDir}: ${sizes.join(", ")}`);
