import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createRng } from "../../lib/src/core/random.js";
import { N2C2_CRITERIA, N2c2InputError } from "../../lib/src/eval/n2c2-score.js";
import { formatFixed4, formatN2c2OfficialTable, scoreN2c2Folders } from "../../lib/src/eval/n2c2-system.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
type Labels = Record<string, Record<string, "met" | "not met">>;

/** 14 patients x 13 criteria; KETO-1YR never met in gold (as on the test split), ~75% of answers right. */
function makeLabels(): { gold: Labels; system: Labels } {
  // Seeded, so the fixture is the same on every run.
  const random = createRng(2018);
  const gold: Labels = {};
  const system: Labels = {};
  for (let p = 0; p < 14; p++) {
    const id = String(100 + p * 7);
    gold[id] = {};
    system[id] = {};
    N2C2_CRITERIA.forEach((criterion, c) => {
      const rate = criterion === "KETO-1YR" ? 0 : 0.1 + 0.06 * c;
      const g = random.next() < rate ? "met" : "not met";
      const flip = random.next() < 0.25;
      gold[id][criterion] = g;
      system[id][criterion] = flip ? (g === "met" ? "not met" : "met") : g;
    });
  }
  return { gold, system };
}

const goldXml = (tags: Record<string, string>, id: string) =>
  `<?xml version="1.0" encoding="UTF-8" ?>\n<PatientMatching>\n<TEXT><![CDATA[\nRecord date: 2090-01-0${id.length}\nPatient ${id} & notes.\n]]></TEXT>\n<TAGS>\n${Object.entries(
    tags,
  )
    .map(([name, value]) => `<${name} met="${value}" />`)
    .join("\n")}\n</TAGS>\n</PatientMatching>\n`;

// System files carry tags only: no TEXT, an empty TEXT, or an empty CDATA, and values in varied case.
function systemXml(tags: Record<string, string>, variant: number): string {
  const text = ["", "<TEXT></TEXT>\n", "<TEXT><![CDATA[]]></TEXT>\n"][variant % 3];
  const body = Object.entries(tags)
    .map(([name, value], i) => `  <${name} met="${i % 4 === 0 ? ` ${value.toUpperCase()} ` : value}"/>`)
    .join("\n");
  return `<PatientMatching>\n${text}<TAGS>\n${body}\n</TAGS>\n</PatientMatching>\n`;
}

function writeFolders(labels: { gold: Labels; system: Labels }) {
  const dir = mkdtempSync(join(tmpdir(), "n2c2-system-"));
  const goldDir = join(dir, "gold");
  const systemDir = join(dir, "system");
  mkdirSync(goldDir);
  mkdirSync(systemDir);
  Object.keys(labels.gold).forEach((id, i) => {
    writeFileSync(join(goldDir, `${id}.xml`), goldXml(labels.gold[id], id));
    writeFileSync(join(systemDir, `${id}.xml`), systemXml(labels.system[id], i));
  });
  return { dir, goldDir, systemDir };
}

/** The official Track 1 arithmetic (DESIGN.md "The official Track 1 score"), written out independently. */
function expectedOfficial(gold: Labels, system: Labels, patients: string[]) {
  const div = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const measure = (tp: number, fp: number, fn: number, tn: number) => {
    const precision = div(tp, tp + fp);
    const recall = div(tp, tp + fn);
    const specificity = div(tn, fp + tn);
    const f1 = div(2 * precision * recall, precision + recall);
    return { precision, recall, specificity, f1, auc: (recall + specificity) / 2 };
  };
  const pooled = { met: [0, 0, 0, 0], "not met": [0, 0, 0, 0] };
  const rows = N2C2_CRITERIA.map((criterion) => {
    const row: Record<string, ReturnType<typeof measure>> = {};
    for (const value of ["met", "not met"] as const) {
      const counts = [0, 0, 0, 0]; // tp fp fn tn
      for (const p of patients) {
        const g = gold[p][criterion] === value;
        const s = system[p][criterion] === value;
        counts[g && s ? 0 : s ? 1 : g ? 2 : 3]++;
      }
      pooled[value] = pooled[value].map((x, i) => x + counts[i]);
      row[value] = measure(counts[0], counts[1], counts[2], counts[3]);
    }
    return { met: row.met, notMet: row["not met"], f1: (row.met.f1 + row["not met"].f1) / 2, auc: row.met.auc };
  });
  const microMet = measure(pooled.met[0], pooled.met[1], pooled.met[2], pooled.met[3]);
  const microNot = measure(pooled["not met"][0], pooled["not met"][1], pooled["not met"][2], pooled["not met"][3]);
  const mean = (pick: (row: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + pick(r), 0) / rows.length;
  return {
    rows,
    micro: { met: microMet, notMet: microNot, f1: (microMet.f1 + microNot.f1) / 2, auc: microMet.auc },
    macro: {
      metPrecision: mean((r) => r.met.precision),
      metRecall: mean((r) => r.met.recall),
      metSpecificity: mean((r) => r.met.specificity),
      metF1: mean((r) => r.met.f1),
      notPrecision: mean((r) => r.notMet.precision),
      notRecall: mean((r) => r.notMet.recall),
      notF1: mean((r) => r.notMet.f1),
      f1: mean((r) => r.f1),
      auc: mean((r) => r.auc),
    },
  };
}

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 1e-12, `${what}: ${actual} != ${expected}`);

function assertMatches(
  score: Awaited<ReturnType<typeof scoreN2c2Folders>>["official"],
  expected: ReturnType<typeof expectedOfficial>,
) {
  assert.equal(
    score.criteria.map((row) => row.criterion),
    [...N2C2_CRITERIA],
  );
  score.criteria.forEach((row, i) => {
    const want = expected.rows[i];
    for (const key of ["precision", "recall", "specificity", "f1", "auc"] as const) {
      close(row.met[key], want.met[key], `${row.criterion} met ${key}`);
      close(row.notMet[key], want.notMet[key], `${row.criterion} not met ${key}`);
    }
    close(row.f1, want.f1, `${row.criterion} overall F`);
    close(row.auc, want.auc, `${row.criterion} AUC`);
  });
  for (const key of ["precision", "recall", "specificity", "f1", "auc"] as const) {
    close(score.micro.met[key], expected.micro.met[key], `micro met ${key}`);
    close(score.micro.notMet[key], expected.micro.notMet[key], `micro not met ${key}`);
  }
  close(score.micro.f1, expected.micro.f1, "micro F");
  close(score.micro.auc, expected.micro.auc, "micro AUC");
  const m = expected.macro;
  close(score.macro.met.precision, m.metPrecision, "macro met P");
  close(score.macro.met.recall, m.metRecall, "macro met R");
  close(score.macro.met.specificity, m.metSpecificity, "macro met specificity");
  close(score.macro.met.f1, m.metF1, "macro met F");
  close(score.macro.notMet.precision, m.notPrecision, "macro not met P");
  close(score.macro.notMet.recall, m.notRecall, "macro not met R");
  close(score.macro.notMet.f1, m.notF1, "macro not met F");
  close(score.macro.f1, m.f1, "macro F");
  close(score.macro.auc, m.auc, "macro AUC");
}

function withFolders(
  body: (f: ReturnType<typeof writeFolders>, labels: ReturnType<typeof makeLabels>) => Promise<void>,
) {
  return async () => {
    const labels = makeLabels();
    const folders = writeFolders(labels);
    try {
      await body(folders, labels);
    } finally {
      rmSync(folders.dir, { recursive: true, force: true });
    }
  };
}

test(
  "a system folder (tags only, no TEXT) scores as the official definition says, every number",
  withFolders(async ({ goldDir, systemDir }, labels) => {
    writeFileSync(join(systemDir, "README.txt"), "not a system file");
    const result = await scoreN2c2Folders(goldDir, systemDir);
    const patients = Object.keys(labels.gold);
    assert.is(result.files.length, 14);
    assert.is(result.official.patients, 14);
    assert.equal(result.skipped, { goldOnly: [], systemOnly: [] });
    assert.equal(result.ignored, { gold: [], system: ["README.txt"] });
    // The fixture must exercise both classes and a 0/0 (KETO-1YR never met in gold).
    const expected = expectedOfficial(labels.gold, labels.system, patients);
    assert.ok(expected.micro.f1 > 0.5 && expected.micro.f1 < 0.95, `fixture micro F ${expected.micro.f1}`);
    assertMatches(result.official, expected);

    // The printed table: the script's layout, and each printed number is the expected value to 4 decimals.
    const table = formatN2c2OfficialTable(result.official).split("\n");
    assert.is(table.length, 3 + 13 + 1 + 2 + 2);
    assert.is(table[0], `${"*".repeat(43)} TRACK 1 ${"*".repeat(44)}`);
    assert.ok(table[3].startsWith(`${" ".repeat(11)}Abdominal  `), table[3]);
    assert.ok(table[4].startsWith(`        Advanced-cad  `), table[4]);
    const numbers = (line: string) => line.slice(20).trim().split(/\s+/).map(Number);
    const micro = expected.micro;
    const wantMicro = [
      micro.met.precision,
      micro.met.recall,
      micro.met.specificity,
      micro.met.f1,
      micro.notMet.precision,
      micro.notMet.recall,
      micro.notMet.f1,
      micro.f1,
      micro.auc,
    ];
    assert.ok(table[17].startsWith("     Overall (micro)  "));
    for (const [i, value] of numbers(table[17]).entries())
      assert.ok(Math.abs(value - wantMicro[i]) <= 5e-5, `micro column ${i}`);
    const m = expected.macro;
    const wantMacro = [
      m.metPrecision,
      m.metRecall,
      m.metSpecificity,
      m.metF1,
      m.notPrecision,
      m.notRecall,
      m.notF1,
      m.f1,
      m.auc,
    ];
    for (const [i, value] of numbers(table[18]).entries())
      assert.ok(Math.abs(value - wantMacro[i]) <= 5e-5, `macro column ${i}`);
    assert.is(table[20].trim(), "14 files found");
  }),
);

test("4-decimal rounding as Python prints it: exact ties go to the even digit", () => {
  // 5/32 = 0.15625 and 1/32 = 0.03125 are exact ties: Python gives 0.1562 and 0.0312 (toFixed: 0.1563, 0.0313).
  assert.is(formatFixed4(5 / 32), "0.1562");
  assert.is(formatFixed4(1 / 32), "0.0312");
  assert.is(formatFixed4(3 / 32), "0.0938");
  assert.is(formatFixed4(2 / 3), "0.6667");
  assert.is(formatFixed4(1), "1.0000");
  assert.is(formatFixed4(0), "0.0000");
});

test(
  "missing files: refused by default naming them; missing: official scores the common files and says which were skipped",
  withFolders(async ({ goldDir, systemDir }, labels) => {
    unlinkSync(join(systemDir, "107.xml"));
    writeFileSync(join(systemDir, "999.xml"), systemXml(labels.system["100"], 0));
    try {
      await scoreN2c2Folders(goldDir, systemDir);
      assert.unreachable("should refuse");
    } catch (error) {
      assert.ok(N2c2InputError.isInstance(error), String(error));
      const message = (error as Error).message;
      assert.match(message, /1 gold file\(s\) have no system file .*: 107\.xml/);
      assert.match(message, /1 system file\(s\) have no gold file .*: 999\.xml/);
      assert.match(message, /missing: "official"/);
    }
    const result = await scoreN2c2Folders(goldDir, systemDir, { missing: "official" });
    assert.equal(result.skipped, { goldOnly: ["107.xml"], systemOnly: ["999.xml"] });
    assert.is(result.files.length, 13);
    assert.not.ok(result.files.includes("107.xml"));
    const common = Object.keys(labels.gold).filter((id) => id !== "107");
    assertMatches(result.official, expectedOfficial(labels.gold, labels.system, common));
  }),
);

test(
  "bad system files are errors naming the file and line: missing tag, bad value, no TAGS, no common files",
  withFolders(async ({ goldDir, systemDir, dir }, labels) => {
    const tags = { ...labels.system["100"] } as Record<string, string>;
    delete tags["MI-6MOS"];
    writeFileSync(join(systemDir, "100.xml"), systemXml(tags, 0));
    const bad = systemXml(labels.system["107"], 1).replace(/<ENGLISH met="[^"]*"/, '<ENGLISH met="maybe"');
    writeFileSync(join(systemDir, "107.xml"), bad);
    writeFileSync(join(systemDir, "114.xml"), "<PatientMatching><TEXT></TEXT></PatientMatching>");
    const error = await scoreN2c2Folders(goldDir, systemDir).catch((e: Error) => e);
    assert.instance(error, Error);
    const message = (error as Error).message;
    assert.match(message, /system[/\\]100\.xml: TAGS is missing <MI-6MOS>/);
    assert.match(message, /system[/\\]107\.xml:\d+: <ENGLISH> has met="maybe"/);
    assert.match(message, /system[/\\]114\.xml: no <TAGS> element/);
    const empty = join(dir, "empty");
    mkdirSync(empty);
    await scoreN2c2Folders(goldDir, empty).then(
      () => assert.unreachable("empty system folder must be refused"),
      (e: Error) => assert.match(e.message, /none of the files match/),
    );
  }),
);

const cli = (args: string[]) =>
  spawnSync(
    process.execPath,
    [join(root, "node_modules/tsx/dist/cli.mjs"), join(root, "lib/src/cli/main.ts"), ...args],
    {
      encoding: "utf8",
      cwd: root,
    },
  );

test(
  "CLI eval n2c2-score prints the official table; refuses missing files (exit 1) unless --skip-missing",
  withFolders(async ({ goldDir, systemDir }) => {
    const ok = cli(["eval", "n2c2-score", goldDir, systemDir]);
    assert.is(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /\*+ TRACK 1 \*+/);
    assert.match(ok.stdout, /Overall \(micro\) {2}\d\.\d{4}/);
    assert.match(ok.stdout, /14 files found/);
    unlinkSync(join(systemDir, "121.xml"));
    const refused = cli(["eval", "n2c2-score", goldDir, systemDir]);
    assert.is(refused.status, 1);
    assert.match(refused.stderr, /have no system file .*: 121\.xml/);
    assert.match(refused.stderr, /--skip-missing/);
    const skipped = cli(["eval", "n2c2-score", goldDir, systemDir, "--skip-missing"]);
    assert.is(skipped.status, 0, skipped.stderr);
    assert.match(skipped.stdout, /Files skipped in .*gold \(1, no system file\):\n121\.xml/);
    assert.match(skipped.stdout, /13 files found/);
  }),
);

test.run();
