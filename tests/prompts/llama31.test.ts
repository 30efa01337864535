import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ChatMessage } from "../../lib/src/llm/types.js";
import {
  ChatFormatError,
  findSpecialToken,
  LLAMA31_STOP_TOKEN_IDS,
  renderLlama31,
} from "../../lib/src/prompts/llama31.js";

const chat: ChatMessage[] = [
  { role: "system", content: "You extract facts." },
  { role: "user", content: "Is the patient on warfarin?" },
  { role: "assistant", content: '{"answer":"Yes"}' },
];

test("renders system, user, assistant with BOS and no generation prompt by default", () => {
  const expected =
    "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou extract facts.<|eot_id|>" +
    "<|start_header_id|>user<|end_header_id|>\n\nIs the patient on warfarin?<|eot_id|>" +
    '<|start_header_id|>assistant<|end_header_id|>\n\n{"answer":"Yes"}<|eot_id|>';
  assert.is(renderLlama31(chat), expected);
});

test("generation prompt ends with an open assistant header; bos can be left off", () => {
  const out = renderLlama31(chat.slice(0, 2), { addGenerationPrompt: true, bos: false });
  assert.is(
    out,
    "<|start_header_id|>system<|end_header_id|>\n\nYou extract facts.<|eot_id|>" +
      "<|start_header_id|>user<|end_header_id|>\n\nIs the patient on warfarin?<|eot_id|>" +
      "<|start_header_id|>assistant<|end_header_id|>\n\n",
  );
});

test("content is trimmed like Meta's template unless trim is false", () => {
  const messages: ChatMessage[] = [{ role: "user", content: "  hi\n\n" }];
  assert.is(renderLlama31(messages), "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>");
  assert.is(
    renderLlama31(messages, { trim: false }),
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n  hi\n\n<|eot_id|>",
  );
});

test("dateHeader emulates the HF system block, with and without a system message", () => {
  assert.is(
    renderLlama31(chat.slice(0, 2), { dateHeader: true, addGenerationPrompt: true }),
    "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n" +
      "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\nYou extract facts.<|eot_id|>" +
      "<|start_header_id|>user<|end_header_id|>\n\nIs the patient on warfarin?<|eot_id|>" +
      "<|start_header_id|>assistant<|end_header_id|>\n\n",
  );
  assert.is(
    renderLlama31([{ role: "user", content: "Q" }], { dateHeader: { today: "01 Jan 2025" } }),
    "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n" +
      "Cutting Knowledge Date: December 2023\nToday Date: 01 Jan 2025\n\n<|eot_id|>" +
      "<|start_header_id|>user<|end_header_id|>\n\nQ<|eot_id|>",
  );
});

test("empty message list gives just BOS (and the generation prompt if asked)", () => {
  assert.is(renderLlama31([]), "<|begin_of_text|>");
  assert.is(
    renderLlama31([], { addGenerationPrompt: true }),
    "<|begin_of_text|><|start_header_id|>assistant<|end_header_id|>\n\n",
  );
});

test("special tokens inside content are refused, naming the message", () => {
  const bad: ChatMessage[] = [
    { role: "user", content: "ok" },
    { role: "user", content: "note text <|eot_id|> injected" },
  ];
  assert.throws(
    () => renderLlama31(bad),
    (error: Error) => error instanceof ChatFormatError && /messages\[1\]\.content/.test(error.message),
  );
  assert.is(findSpecialToken("a <|start_header_id|> b"), "<|start_header_id|>");
  assert.is(findSpecialToken("<|not_a_token|>"), undefined);
});

test("bad role and non-string content are clear errors", () => {
  assert.throws(() => renderLlama31([{ role: "tool" as "user", content: "x" }]), /messages\[0\]\.role/);
  assert.throws(
    () => renderLlama31([{ role: "user", content: 3 as unknown as string }]),
    /messages\[0\]\.content: expected a string/,
  );
});

test("stop token ids are the Llama-3.1 ones and frozen", () => {
  assert.equal([...LLAMA31_STOP_TOKEN_IDS], [128000, 128001, 128007, 128008, 128009]);
  assert.ok(Object.isFrozen(LLAMA31_STOP_TOKEN_IDS));
});

test.run();
