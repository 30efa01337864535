import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { experimentSchema } from "../../lib/src/config/experiment.js";
import { synthSection } from "../../lib/src/config/sections/synth.js";
import { createRng, deriveSeed } from "../../lib/src/core/random.js";
import { noteLookupFromMap } from "../../lib/src/synth/note-lookup.js";
import { type PostProcessOptions, PostProcessor } from "../../lib/src/synth/post-process.js";
import { postProcessFile } from "../../lib/src/synth/post-process-file.js";
import { PREPARED_COLUMNS, prepareDataset } from "../../lib/src/synth/prepare.js";
import { normalizeQuestion } from "../../lib/src/synth/question-key.js";
import {
  checkExplanationQuotes,
  checkSource,
  DEFAULT_MAX_ELLIPSIS_GAP,
  prepareNote,
  type SourceMatch,
  sourceFound,
} from "../../lib/src/synth/source-check.js";
import type { RejectRecord, SynthRow, TeacherResponseRecord } from "../../lib/src/synth/types.js";
import { matchForm, normalizeForMatch, wordCuts } from "../../lib/src/text/match-text.js";
import { aciBenchNotes } from "../helpers/aci-bench.js";
import { FABRICATION_KINDS, GENUINE_KINDS, quoteCases } from "../helpers/quote-variants.js";

const check = (quote: string, note: string, maxEllipsisGap?: number) =>
  checkSource(quote, prepareNote(note), { maxEllipsisGap });
/** The original note text a match covers. */
const spanOf = (note: string, match: SourceMatch) =>
  match.start === null || match.end === null ? null : note.slice(match.start, match.end);

// --- genuine quotes with small changes: each was not_found before ---

test("header punctuation dropped: `HEADER: , text` quoted as `HEADER: text`", () => {
  const note = "PHYSICAL EXAM\nABDOMEN: , soft, nontender.\nEXTREMITIES: No edema.";
  const match = check("ABDOMEN: soft, nontender", note);
  assert.is(match.check, "normalized");
  assert.is(spanOf(note, match), "ABDOMEN: , soft, nontender");
  assert.is(check("Extremities no edema", note).check, "normalized");
});

test("final period added or removed", () => {
  const note = "She denies chest pain, shortness of breath, or swelling in her legs.";
  const added = check("She denies chest pain.", note);
  assert.is(added.check, "normalized");
  assert.is(spanOf(note, added), "She denies chest pain");
  const removed = check("swelling in her legs", note);
  assert.is(removed.check, "exact");
  assert.is(spanOf(note, removed), "swelling in her legs");
});

test("Unicode symbols in the note typed as ASCII: subscripts, superscripts, arrows, comparators, degrees", () => {
  const note =
    "SpO\u2082 94% \u2192 98% on 2 L. BNP \u2265 400. Temp 38.5 \u00b0C. WBC 12 \u00d7 10\u2079/L. BMI 31 kg/m\u00b2.";
  for (const [quote, original] of [
    ["SpO2 94% -> 98% on 2 L", "SpO\u2082 94% \u2192 98% on 2 L"],
    ["BNP >= 400", "BNP \u2265 400"],
    ["Temp 38.5 C", "Temp 38.5 \u00b0C"],
    ["Temp 38.5 degrees C.", "Temp 38.5 \u00b0C"],
    ["WBC 12 x 10^9/L", "WBC 12 \u00d7 10\u2079/L"],
    ["BMI 31 kg/m2", "BMI 31 kg/m\u00b2"],
  ]) {
    const match = check(quote, note);
    assert.is(match.check, "normalized", quote);
    assert.is(spanOf(note, match), original, quote);
  }
  // Symbols with meaning must still agree.
  assert.is(check("BNP <= 400", note).check, "not_found");
  assert.is(check("WBC 12 x 109/L", note).check, "not_found");
  assert.is(check("SpO2 94% <- 98%", note).check, "not_found");
});

test("curly quotes, dashes, non-breaking spaces and case are folded; a quote may be wrapped in quotes", () => {
  const note = "Patient\u2019s mother has type\u00a02 diabetes \u2013 diet controlled.";
  assert.is(check("\u201cpatient's mother has type 2 diabetes - diet controlled\u201d", note).check, "normalized");
  assert.is(check("PATIENT'S MOTHER", note).check, "normalized");
  assert.is(check("Patient\u2019s mother", note).check, "exact");
});

test("bullet and numbered lines joined without their markers", () => {
  const note =
    "REVIEW OF SYSTEMS\n\u2022 Cardiovascular: Denies chest pain.\n\u2022 Respiratory: Denies dyspnea.\n\nPLAN\n1. Hypertension.\n2. Diabetes type 2.";
  const bullets = check("Cardiovascular: Denies chest pain. Respiratory: Denies dyspnea.", note);
  assert.is(bullets.check, "normalized");
  assert.is(spanOf(note, bullets), "Cardiovascular: Denies chest pain.\n\u2022 Respiratory: Denies dyspnea");
  assert.is(check("Hypertension; diabetes type 2", note).check, "normalized");
  assert.is(check("PLAN 1. Hypertension", note).check, "normalized");
  assert.is(check("2. Diabetes type 2", note).check, "exact");
  assert.is(check("1. hypertension 2. diabetes type 2", note).check, "normalized");
  // The list number is not the lab's number.
  assert.is(check("Diabetes type 1", note).check, "not_found");
});

test("line breaks and runs of whitespace collapsed", () => {
  const note = "CHIEF COMPLAINT\n\nJoint   pain.\r\n\r\nHISTORY";
  const match = check("CHIEF COMPLAINT Joint pain", note);
  assert.is(match.check, "normalized");
  assert.is(spanOf(note, match), "CHIEF COMPLAINT\n\nJoint   pain");
});

// --- close fabrications: each passed before ---

test("a dropped negating prefix is not found: nontender, non-tender, afebrile, unremarkable", () => {
  const note = "Abdomen soft and nontender. Calf non-tender to palpation. She is afebrile. X-ray unremarkable.";
  for (const quote of [
    "tender",
    "Abdomen soft and tender",
    "tender to palpation",
    "Calf tender to palpation",
    "febrile",
    "She is febrile",
    "X-ray remarkable",
    "remarkable.",
  ])
    assert.is(check(quote, note).check, "not_found", quote);
  assert.is(check("Calf non tender to palpation", note).check, "normalized");
});

test("a quote may not start or end inside a word of the note", () => {
  const note = "History of hypertension. He has taken Tylenol without relief.";
  for (const quote of ["tension", "ension.", "He has taken Tyle", "ory of hypertension", "out relief"])
    assert.is(check(quote, note).check, "not_found", quote);
  assert.is(check("He has taken Tylenol", note).check, "exact");
});

test("letters and digits must match: a changed digit, a decimal point, a swapped or removed word", () => {
  const note = "Creatinine 1.4 mg/dL. Patient has no chest pain. Left knee swelling.";
  for (const quote of [
    "Creatinine 1.5 mg/dL",
    "Creatinine 14 mg/dL",
    "Creatinine 1 4 mg/dL.",
    "Patient has chest pain",
    "Right knee swelling",
    "4 mg/dL",
  ])
    assert.is(check(quote, note).check, "not_found", quote);
  assert.is(check("creatinine 1.4 MG/DL", note).check, "normalized");
});

test("an ellipsis joins only fragments that are close, in order", () => {
  const filler = "The patient was seen and examined today in clinic with her daughter present. ".repeat(4);
  const note = `She reports chest pain on exertion for two weeks. ${filler}No syncope. Lasix 20 mg daily.`;
  const near = check("She reports chest pain ... for two weeks", note);
  assert.is(near.check, "fragments");
  assert.is(spanOf(note, near), "She reports chest pain on exertion for two weeks");
  assert.equal(near.parts, [
    [0, 22],
    [35, 48],
  ]);
  assert.is(check("No syncope\u2026 Lasix 20 mg daily", note).check, "fragments");
  assert.is(check("...Lasix 20 mg daily", note).check, "normalized");
  // Far apart (over the bound), out of order, or one part not in the note.
  assert.ok(filler.length > DEFAULT_MAX_ELLIPSIS_GAP);
  assert.is(check("She reports chest pain [...] No syncope", note).check, "not_found");
  assert.is(check("for two weeks ... She reports chest pain", note).check, "not_found");
  assert.is(check("She reports chest pain ... for three weeks", note).check, "not_found");
  // The bound is a setting.
  assert.is(check("She reports chest pain [...] No syncope", note, 1000).check, "fragments");
  assert.is(check("She reports chest pain ... for two weeks", note, 5).check, "not_found");
});

test("the ellipsis bound comes from the config (synth.postProcess.maxEllipsisGap, default 200)", () => {
  assert.is(synthSection.parse({}).postProcess.maxEllipsisGap, DEFAULT_MAX_ELLIPSIS_GAP);
  assert.is(DEFAULT_MAX_ELLIPSIS_GAP, 200);
  const parsed = experimentSchema.parse({ name: "x", synth: { postProcess: { maxEllipsisGap: 40 } } });
  assert.is(parsed.synth.postProcess.maxEllipsisGap, 40);
  assert.throws(() => synthSection.parse({ postProcess: { maxEllipsisGap: -1 } }));

  const note = `Lasix 20 mg daily. ${"Other findings were discussed at length. ".repeat(2)}Weight stable.`;
  const run = (options: Partial<PostProcessOptions>) => {
    const rows: SynthRow[] = [];
    const processor = new PostProcessor(
      { notes: noteLookupFromMap({ N1: note }), ...options },
      (row) => rows.push(row),
      () => {},
    );
    processor.push(response([item({ source: "Lasix 20 mg daily ... Weight stable" })]));
    return rows[0].source_check;
  };
  assert.is(run({}), "fragments");
  assert.is(run({ maxEllipsisGap: parsed.synth.postProcess.maxEllipsisGap }), "not_found");
});

test("empty quotes: nothing, NA, or no letter or digit", () => {
  for (const quote of ["", "  ", "NA", "n/a", "...", "--", "\u2026"])
    assert.is(check(quote, "Some note text.").check, "empty", JSON.stringify(quote));
});

// --- offsets ---

test("offsets map back to the exact original text, through multi-character folds", () => {
  const note =
    "  \u2022 \u03b2-blocker: metoprolol 25\u00a0mg.\n\u2022 HbA1c\u2009\u2265\u20097.0%\u2014repeat in 3/12. \ufb01nal";
  const cases: [string, string][] = [
    ["beta-blocker: metoprolol 25 mg", "\u03b2-blocker: metoprolol 25\u00a0mg"],
    ["HbA1c >= 7.0% - repeat in 3/12", "HbA1c\u2009\u2265\u20097.0%\u2014repeat in 3/12"],
    ["final", "\ufb01nal"],
    ["metoprolol 25 mg. HbA1c", "metoprolol 25\u00a0mg.\n\u2022 HbA1c"],
  ];
  for (const [quote, original] of cases) {
    const match = check(quote, note);
    assert.ok(sourceFound(match.check), quote);
    assert.is(spanOf(note, match), original, quote);
  }
  const form = matchForm(note);
  for (let i = 0; i < form.text.length; i++) {
    if (form.text[i] === " ") continue;
    assert.ok(form.from[i] < form.to[i] && form.to[i] <= note.length, `char ${i}`);
  }
  assert.is(normalizeForMatch("\u03b2-blocker"), "beta blocker");
});

test("word cuts: inside words, at joining hyphens and apostrophes, inside numbers", () => {
  const text = "non-tender patient's 1.3 20mg (x)";
  const cuts = wordCuts(text);
  const inside = [...cuts].flatMap((v, i) => (v ? [i] : []));
  const expect = (offset: number, value: number) =>
    assert.is(cuts[offset], value, `${offset} ${text.slice(0, offset)}|`);
  expect(3, 1); // non|-tender
  expect(4, 1); // non-|tender
  expect(10, 0); // after "non-tender"
  expect(18, 1); // patient|'s
  expect(22, 1); // 1|.3
  expect(27, 1); // 20|mg
  expect(0, 0);
  expect(text.length, 0);
  assert.ok(inside.length > 5);
});

// --- explanation quotes ---

test("explanation quotes use the same matcher", () => {
  const note = prepareNote("ABDOMEN: , soft, nontender.\nTemp 38.5 \u00b0C.");
  assert.is(checkExplanationQuotes('The note says "abdomen: soft, nontender."', note), "found");
  assert.is(checkExplanationQuotes("The note says \u201cTemp 38.5 degrees C\u201d.", note), "found");
  assert.is(checkExplanationQuotes('The note says "abdomen: soft, tender" on exam.', note), "not_found");
  assert.is(checkExplanationQuotes('It records "soft ... 38.5 C" as written.', note), "found");
  assert.is(checkExplanationQuotes("No quotation here.", note), "none");
});

// --- dedupe ---

function item(overrides: Record<string, unknown> = {}) {
  return {
    question: "Was the creatinine above 1.3 mg/dL?",
    type: "boolean",
    answer: "Yes",
    section: "Labs",
    source: "Creatinine 1.4 mg/dL",
    difficulty: 5,
    explanation: "The note says so.",
    ...overrides,
  };
}

function response(items: unknown[]): TeacherResponseRecord {
  return {
    request_id: "N1:boolean",
    note_id: "N1",
    chunk: 0,
    question_type: "boolean",
    model: "teacher",
    prompt_version: "v",
    key: "k",
    ok: true,
    text: JSON.stringify({ questions: items }),
  };
}

test("dedupe keeps threshold variants; folds case, punctuation, spacing and number spelling", () => {
  const rows: SynthRow[] = [];
  const rejects: RejectRecord[] = [];
  const processor = new PostProcessor(
    { notes: noteLookupFromMap({ N1: "Creatinine 1.4 mg/dL. HbA1c 7.2 %." }) },
    (row) => rows.push(row),
    (reject) => rejects.push(reject),
  );
  processor.push(
    response([
      item(),
      item({ question: "Was the creatinine above 2.0 mg/dL?" }),
      item({ question: "Was the creatinine above 1.5 mg/dL?" }),
      item({ question: "Is the HbA1c > 7%?" }),
      item({ question: "Is the HbA1c < 7%?" }),
      item({ question: "was the CREATININE above 1.30 mg/dl" }),
      item({ question: "Was the  creatinine above 1.3 mg / dL ?" }),
      item({ question: "Is the HbA1c >7 %" }),
    ]),
  );
  assert.equal(
    rows.map((r) => r.question),
    [
      "Was the creatinine above 1.3 mg/dL?",
      "Was the creatinine above 2.0 mg/dL?",
      "Was the creatinine above 1.5 mg/dL?",
      "Is the HbA1c > 7%?",
      "Is the HbA1c < 7%?",
    ],
  );
  assert.equal(
    rejects.map((r) => r.reason),
    ["duplicate_normalized", "duplicate_normalized", "duplicate_normalized"],
  );
});

test("question keys: numbers are identity, written canonically", () => {
  const same = (a: string, b: string) => assert.is(normalizeQuestion(a), normalizeQuestion(b), `${a} = ${b}`);
  const differ = (a: string, b: string) => assert.is.not(normalizeQuestion(a), normalizeQuestion(b), `${a} != ${b}`);
  same("Creatinine above 1.3?", "creatinine above 1.30");
  same("Platelets below 150,000?", "platelets below 150000");
  same("HbA1c above 7?", "HbA1c above 7.0?");
  // Leading zeros anywhere in the question, and a question whose numbers need no rewriting.
  same("Dose 007 then 0.50 mg?", "dose 7 then 0.5 mg");
  assert.is(normalizeQuestion("Was 120/80 the BP at 3:30?"), "was 120 / 80 the bp at 3:30");
  same("Patient\u2019s HbA1c \u2265 7?", "patient's hba1c >= 7");
  differ("Creatinine above 1.3?", "Creatinine above 2.0?");
  differ("Creatinine above 1.3?", "Creatinine above 13?");
  differ("What was the HbA1c on 2131-04-28?", "What was the HbA1c on 2130-01-01?");
  differ("Is the HbA1c > 7%?", "Is the HbA1c < 7%?");
  differ("Is the patient on warfarin?", "Is the patient on apixaban?");
});

// --- prepared rows carry the spans ---

test("post-processed and prepared rows carry source_start/source_end", async () => {
  const dir = mkdtempSync(join(tmpdir(), "grounding-"));
  try {
    const note = "LABS\nCreatinine: , 1.4 mg/dL.";
    writeFileSync(join(dir, "notes.jsonl"), `${JSON.stringify({ note_id: "N1", text: note })}\n`);
    writeFileSync(
      join(dir, "responses.jsonl"),
      `${JSON.stringify(response([item({ source: "Creatinine 1.4 mg/dL." })]))}\n`,
    );
    const post = await postProcessFile({
      responsesFile: join(dir, "responses.jsonl"),
      notes: join(dir, "notes.jsonl"),
      outDir: join(dir, "post"),
    });
    const row = JSON.parse(readFileSync(post.files.accepted, "utf8")) as SynthRow;
    assert.is(row.source_check, "normalized");
    assert.is(note.slice(row.source_start as number, row.source_end as number), "Creatinine: , 1.4 mg/dL");
    assert.is(post.stats.sourceCheck.normalized, 1);
    assert.is(PREPARED_COLUMNS.source_start, "int");
    assert.is(PREPARED_COLUMNS.source_end, "int");
    await prepareDataset({
      acceptedFile: post.files.accepted,
      notes: join(dir, "notes.jsonl"),
      outDir: join(dir, "dataset"),
      variant: "all",
      seed: 1,
      balance: "none",
      testFraction: 0,
      jsonl: true,
    });
    const prepared = JSON.parse(readFileSync(join(dir, "dataset", "train.jsonl"), "utf8").trim());
    assert.is(prepared.source_check, "normalized");
    assert.is(prepared.source_start, row.source_start);
    assert.is(prepared.source_end, row.source_end);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// --- real notes ---

test("real ACI-BENCH notes: genuine altered quotes accepted, close fabrications refused, spans exact", async () => {
  const notes = await aciBenchNotes();
  if (!notes) return;
  const random = createRng(deriveSeed(7, "grounding-test"));
  const sample = notes.filter((_, i) => i % 5 === 0);
  let genuine = 0;
  let accepted = 0;
  let fabricated = 0;
  let refused = 0;
  const kinds = new Set<string>();
  const misses: string[] = [];
  for (const note of sample) {
    for (const c of quoteCases(note.text, random, 2, DEFAULT_MAX_ELLIPSIS_GAP)) {
      kinds.add(c.kind);
      const prepared = prepareNote(c.note);
      const match = checkSource(c.quote, prepared);
      const found = sourceFound(match.check);
      if (c.genuine) {
        genuine++;
        if (found) accepted++;
        else misses.push(`genuine ${c.kind}: ${c.quote}`);
      } else {
        fabricated++;
        if (!found) refused++;
        else misses.push(`fabrication ${c.kind}: ${c.quote}`);
      }
      if (!found) continue;
      const span = c.note.slice(match.start as number, match.end as number);
      if (match.check === "exact") assert.is(span, c.quote.trim());
      else if (match.check === "normalized")
        // The span reads as the quote does (list markers aside, which a quote may keep or drop).
        assert.ok(
          normalizeForMatch(span) === normalizeForMatch(c.quote) ||
            normalizeForMatch(span, { listMarkers: "keep" }) === normalizeForMatch(c.quote, { listMarkers: "keep" }),
          `${c.kind}: ${c.quote} -> ${span}`,
        );
    }
  }
  for (const kind of [...GENUINE_KINDS, ...FABRICATION_KINDS]) assert.ok(kinds.has(kind), `no ${kind} case built`);
  assert.ok(genuine > 500 && fabricated > 300, `${genuine} genuine, ${fabricated} fabricated`);
  assert.ok(accepted >= 0.98 * genuine, `genuine accepted ${accepted}/${genuine}\n${misses.join("\n")}`);
  assert.ok(refused >= 0.98 * fabricated, `fabrications refused ${refused}/${fabricated}\n${misses.join("\n")}`);
});

test.run();
