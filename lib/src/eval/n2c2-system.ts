/**
 * Score an n2c2 2018 Track 1 system folder against a gold folder, as the challenge's track1_eval.py does:
 * `GOLD/*.xml` and `SYSTEM/*.xml` are paired by file name, only the `<TAGS>` of each file are read (system
 * files may have no TEXT, or an empty one), and the official table is computed by n2c2OfficialScore.
 *
 * Where the official script scores only the files both folders have (and prints the others in a line that
 * is easy to miss), the default here refuses: a gold file without a system file, or a system file without
 * gold, is an error naming the files. `missing: "official"` scores the common files like the script and
 * reports what was skipped. Files are the script's `*.xml` (lower-case extension, not hidden, not in
 * sub-folders); anything else in a folder is listed in `ignored`.
 *
 * Stricter than the script (which crashes or miscounts): a missing, duplicate or unknown criterion tag,
 * or a `met` value other than "met"/"not met" (after trimming and lower-casing), is an error naming the
 * file and line. Tag names are upper-cased first, as the script does.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { TextDecoder } from "node:util";
import { SaxesParser } from "saxes";
import { ToolkitError } from "../core/errors.js";
import { N2C2_CRITERIA } from "../data/n2c2-criteria.js";
import { N2c2InputError, type N2c2Labels, type N2c2OfficialScore, n2c2OfficialScore } from "./n2c2-score.js";

export type N2c2MissingPolicy = "refuse" | "official";

export interface N2c2FolderScore {
  goldDir: string;
  systemDir: string;
  missing: N2c2MissingPolicy;
  /** The files scored (in both folders), in natural name order. */
  files: string[];
  /** Files only one folder has: not scored (always empty under "refuse", which throws instead). */
  skipped: { goldOnly: string[]; systemOnly: string[] };
  /** Entries that are not `*.xml` files (other extensions, `.XML`, hidden files, folders): never read. */
  ignored: { gold: string[]; system: string[] };
  official: N2c2OfficialScore;
}

const naturalOrder = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

/** The entries of a folder split into the script's `*.xml` files and the rest. */
async function listXml(dir: string, role: string): Promise<{ xml: string[]; ignored: string[] }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new N2c2InputError([`cannot list the ${role} folder ${dir} (${code})`], dir);
  }
  const xml: string[] = [];
  const ignored: string[] = [];
  for (const name of names.sort(naturalOrder)) {
    const isCandidate = name.endsWith(".xml") && !name.startsWith(".");
    if (isCandidate && (await stat(join(dir, name))).isFile()) xml.push(name);
    else ignored.push(name);
  }
  return { xml, ignored };
}

/** Decode as the file says: a byte order mark, else the XML declaration's encoding, else UTF-8 (strictly). */
function decode(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return decodeStrict("utf-8", bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeStrict("utf-16le", bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeStrict("utf-16be", bytes.subarray(2));
  const declared = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*(["'])(.*?)\1/.exec(bytes.toString("latin1", 0, 256));
  return decodeStrict(declared ? declared[2].trim() : "utf-8", bytes);
}

function decodeStrict(label: string, bytes: Uint8Array): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    throw new ToolkitError(`unknown encoding "${label}" in the XML declaration`, { stage: "eval" });
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new ToolkitError(`the bytes are not valid ${decoder.encoding}`, { stage: "eval" });
  }
}

/**
 * The 13 criterion labels of one Track 1 file from its `<TAGS>`; TEXT and everything else are ignored.
 * Problems are appended to `problems` as "FILE:LINE: ..."; returns null when there are any.
 */
export function parseN2c2Tags(xml: string, file: string, problems: string[]): Record<string, string> | null {
  const before = problems.length;
  const parser = new SaxesParser({ position: true });
  const tags = new Map<string, { value: string; line: number }>();
  const stack: string[] = [];
  let tagsElements = 0;
  let failed = false;
  parser.on("error", (error) => {
    if (!failed) problems.push(`${file}:${parser.line}: malformed XML: ${error.message.replace(/^.*?:\d+:\d+: /, "")}`);
    failed = true;
  });
  parser.on("opentag", (tag) => {
    const parent = stack.at(-1);
    stack.push(tag.name);
    if (parent === undefined && tag.name !== "PatientMatching") {
      problems.push(`${file}:${parser.line}: root element is <${tag.name}>, expected <PatientMatching>`);
    }
    if (parent === "PatientMatching" && tag.name === "TAGS") tagsElements++;
    if (parent !== "TAGS" || stack.length !== 3) return;
    const name = tag.name.toUpperCase();
    const where = `${file}:${parser.line}: <${tag.name}>`;
    if (!(N2C2_CRITERIA as readonly string[]).includes(name)) {
      problems.push(`${where} is not a Track 1 criterion (one of ${N2C2_CRITERIA.join(", ")})`);
      return;
    }
    const previous = tags.get(name);
    if (previous) {
      problems.push(`${where} appears twice (first on line ${previous.line})`);
      return;
    }
    const raw = tag.attributes.met;
    const value = typeof raw === "string" ? raw.trim().toLowerCase() : "";
    if (value !== "met" && value !== "not met") {
      problems.push(`${where} has met=${JSON.stringify(raw ?? null)}, expected "met" or "not met"`);
      return;
    }
    tags.set(name, { value, line: parser.line });
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  try {
    parser.write(xml.replace(/^\uFEFF/, "")).close();
  } catch {
    // Reported by the error handler.
  }
  if (!failed) {
    if (tagsElements === 0) problems.push(`${file}: no <TAGS> element inside <PatientMatching>`);
    else if (tagsElements > 1) problems.push(`${file}: ${tagsElements} <TAGS> elements, expected one`);
    else {
      const missing = N2C2_CRITERIA.filter((criterion) => !tags.has(criterion));
      if (missing.length > 0) problems.push(`${file}: TAGS is missing ${missing.map((c) => `<${c}>`).join(", ")}`);
    }
  }
  if (problems.length > before) return null;
  return Object.fromEntries([...tags].map(([name, { value }]) => [name, value]));
}

async function readTags(file: string, problems: string[]): Promise<Record<string, string> | null> {
  let xml: string;
  try {
    xml = decode(await readFile(file));
  } catch (error) {
    problems.push(`${file}: ${(error as Error).message}`);
    return null;
  }
  return parseN2c2Tags(xml, file, problems);
}

/**
 * The official Track 1 table for SYSTEM_DIR against GOLD_DIR (see the file comment). Throws an
 * N2c2InputError listing every problem: files in one folder only (under "refuse"), no common files,
 * unreadable or malformed files.
 */
export async function scoreN2c2Folders(
  goldDir: string,
  systemDir: string,
  options: { missing?: N2c2MissingPolicy } = {},
): Promise<N2c2FolderScore> {
  const missing = options.missing ?? "refuse";
  if (missing !== "refuse" && missing !== "official") {
    throw new TypeError(`scoreN2c2Folders: missing must be "refuse" or "official", not ${JSON.stringify(missing)}`);
  }
  const gold = await listXml(goldDir, "gold");
  const system = await listXml(systemDir, "system");
  const systemSet = new Set(system.xml);
  const goldSet = new Set(gold.xml);
  const files = gold.xml.filter((name) => systemSet.has(name));
  const goldOnly = gold.xml.filter((name) => !systemSet.has(name));
  const systemOnly = system.xml.filter((name) => !goldSet.has(name));
  const problems: string[] = [];
  if (gold.xml.length === 0) problems.push(`gold folder ${goldDir} has no *.xml files`);
  else if (files.length === 0)
    problems.push(`none of the files match: no *.xml name is in both ${goldDir} and ${systemDir}`);
  if (missing === "refuse" && files.length > 0) {
    const list = (names: string[]) => names.join(", ");
    if (goldOnly.length > 0) {
      problems.push(`${goldOnly.length} gold file(s) have no system file in ${systemDir}: ${list(goldOnly)}`);
    }
    if (systemOnly.length > 0) {
      problems.push(`${systemOnly.length} system file(s) have no gold file in ${goldDir}: ${list(systemOnly)}`);
    }
    if (problems.length > 0) {
      problems.push(
        'to score only the common files as the official script does, pass missing: "official" (CLI: --skip-missing)',
      );
    }
  }
  if (problems.length > 0) throw new N2c2InputError(problems);

  const goldLabels: N2c2Labels = {};
  const systemLabels: N2c2Labels = {};
  for (const name of files) {
    const patient = name.slice(0, -".xml".length);
    const goldTags = await readTags(join(goldDir, name), problems);
    const systemTags = await readTags(join(systemDir, name), problems);
    if (goldTags && systemTags) {
      goldLabels[patient] = goldTags;
      systemLabels[patient] = systemTags;
    }
  }
  if (problems.length > 0) throw new N2c2InputError(problems);
  return {
    goldDir,
    systemDir,
    missing,
    files,
    skipped: { goldOnly, systemOnly },
    ignored: { gold: gold.ignored, system: system.ignored },
    official: n2c2OfficialScore({ gold: goldLabels, pred: systemLabels }),
  };
}

/**
 * A number as Python's "{:.4f}" prints it. JavaScript's toFixed rounds an exact tie (a multiple of 1/32
 * with an odd numerator, e.g. 0.15625) up; Python rounds it to the even digit.
 */
export function formatFixed4(value: number): string {
  const scaled = value * 10000; // exact for ties: (odd / 32) * 10000 = odd * 312.5
  if (value >= 0 && scaled - Math.floor(scaled) === 0.5 && Number.isInteger(value * 32)) {
    const low = Math.floor(scaled);
    const digits = low % 2 === 0 ? low : low + 1;
    return `${Math.floor(digits / 10000)}.${String(digits % 10000).padStart(4, "0")}`;
  }
  return value.toFixed(4);
}

/** Python's str.format centring: `fill` on both sides, the extra one on the right. */
function centre(text: string, width: number, fill = " "): string {
  const pad = Math.max(0, width - text.length);
  const left = Math.floor(pad / 2);
  return fill.repeat(left) + text + fill.repeat(pad - left);
}

/** Python's str.capitalize for the criterion names the script prints ("Advanced-cad"). */
const capitalize = (name: string) => name.charAt(0).toUpperCase() + name.slice(1).toLowerCase();

/**
 * The table track1_eval.py prints, line for line (same columns, widths and 4-decimal rounding), so the
 * two outputs can be compared with diff. Columns: met P, R, specificity, F; not met P, R, F; overall F =
 * (F_met + F_notmet) / 2 and AUC = (recall + specificity) / 2 of met.
 */
export function formatN2c2OfficialTable(score: N2c2OfficialScore): string {
  const row = (
    label: string,
    met: { precision: number; recall: number; specificity: number; f1: number },
    notMet: { precision: number; recall: number; f1: number },
    f1: number,
    auc: number,
  ) => {
    const cell = (value: number) => formatFixed4(value).padEnd(5);
    return (
      `${label.padStart(20)}  ${cell(met.precision)}  ${cell(met.recall)}  ${cell(met.specificity)}  ${cell(met.f1)}` +
      `    ${cell(notMet.precision)}  ${cell(notMet.recall)}  ${cell(notMet.f1)}    ${cell(f1)}  ${cell(auc)}`
    );
  };
  const rule = (a: string, b: string, c: string) =>
    `${"".padEnd(20)}  ${centre(a, 30, "-")}    ${centre(b, 22, "-")}    ${centre(c, 14, "-")}`;
  const heads = ["Prec.", "Rec.", "Speci.", "F(b=1)", "Prec.", "Rec.", "F(b=1)", "F(b=1)", "AUC"].map((h) =>
    h.padEnd(6),
  );
  const lines = [
    centre(" TRACK 1 ", 96, "*"),
    rule(" met ", " not met ", " overall "),
    `${"".padEnd(20)}  ${heads.slice(0, 4).join("  ")}    ${heads.slice(4, 7).join("  ")}    ${heads.slice(7).join("  ")}`,
    ...score.criteria.map((c) => row(capitalize(c.criterion), c.met, c.notMet, c.f1, c.auc)),
    rule("", "", ""),
    row("Overall (micro)", score.micro.met, score.micro.notMet, score.micro.f1, score.micro.auc),
    row("Overall (macro)", score.macro.met, score.macro.notMet, score.macro.f1, score.macro.auc),
    "",
    `${"".padStart(20)}  ${centre(`  ${score.patients} files found  `, 74)}`,
  ];
  return lines.join("\n");
}
