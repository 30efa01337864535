// The match form reuses scratch buffers across calls; a call that grows them must still read its own text.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { normalizeForMatch } from "../../lib/src/text/match-text.js";

test("normalizeForMatch: a text longer than any before (buffers grow mid-call) is read in full", () => {
  // Each call is longer than every earlier one, so each one grows the scratch buffers.
  let text = "PHYSICAL EXAM: Abdomen: Soft, nontender.";
  for (let round = 0; round < 6; round++) {
    const expected = text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, " ")
      .trim();
    assert.is(normalizeForMatch(text), expected, `round ${round}, ${text.length} characters`);
    text = `${text} ${text} Extra words ${round}.`;
  }
});

test.run();
