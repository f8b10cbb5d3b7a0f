// Builds the chat page into web/dist: the widget and socket.io-client bundled into one ES module
// (app.js), next to index.html and style.css. Run by `make web` (npm run build).
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = dirname(fileURLToPath(import.meta.url));
const dist = join(web, "dist");

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await build({
  entryPoints: [join(web, "src", "main.js")],
  outfile: join(dist, "app.js"),
  bundle: true,
  format: "esm",
  minify: true,
  sourcemap: false,
  target: ["es2020"],
  legalComments: "none",
  logLevel: "warning",
});
for (const file of ["index.html", "style.css", "favicon.svg"]) {
  copyFileSync(join(web, file), join(dist, file));
}
console.log(`built ${dist}`);
