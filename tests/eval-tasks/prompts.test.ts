import { test } from "uvu";
import * as assert from "uvu/assert";
import { EVAL_SYSTEM_PROMPT, evalMessages, evalPrompt, evalSampling } from "../../lib/src/prompts/eval.js";

test("eval messages: system first, then one user turn with the note before the question", () => {
  const messages = evalMessages("Pt with AF.", "Does the patient have atrial fibrillation?");
  assert.equal(messages, [
    { role: "system", content: EVAL_SYSTEM_PROMPT },
    { role: "user", content: "Clinical note:\nPt with AF.\n\nQuestion: Does the patient have atrial fibrillation?" },
  ]);
});

test("eval prompt renders in the Llama-3.1 format, exact string, ending with the assistant header", () => {
  const prompt = evalPrompt("Pt with AF.", "Age?");
  assert.is(
    prompt,
    "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n" +
      EVAL_SYSTEM_PROMPT +
      "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nClinical note:\nPt with AF.\n\nQuestion: Age?<|eot_id|>" +
      "<|start_header_id|>assistant<|end_header_id|>\n\n",
  );
});

test("the eval prompt asks for no difficulty field (training never taught one)", () => {
  assert.not.match(EVAL_SYSTEM_PROMPT.toLowerCase(), "difficulty");
  assert.match(EVAL_SYSTEM_PROMPT, '{"answer": ..., "explanation": "..."}');
});

test("prefix caching: every question about one note shares the prompt up to the question", () => {
  const a = evalPrompt("Same note text.", "Question one?");
  const b = evalPrompt("Same note text.", "Question two?");
  const shared = "Same note text.\n\nQuestion: ";
  assert.is(a.slice(0, a.indexOf(shared) + shared.length), b.slice(0, b.indexOf(shared) + shared.length));
});

test("eval sampling: greedy, top_p 1, 256 tokens, Llama-3.1 stop ids, explicit seed", () => {
  assert.equal(evalSampling(7), {
    temperature: 0,
    top_p: 1,
    max_tokens: 256,
    stop_token_ids: [128000, 128001, 128007, 128008, 128009],
    seed: 7,
  });
});

test.run();
