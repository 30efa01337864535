import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { z } from "zod";
import { type Backend, createLocalBackend, LlmError, runRequests } from "../../lib/src/llm/index.js";
import { missing } from "../helpers/skip.js";
import { collect, tempDir } from "./helpers.js";

const modelPath = resolve(import.meta.dirname, "../../../shared/models/llama-2-tiny-random.gguf");

async function available(): Promise<boolean> {
  if (!existsSync(modelPath)) return missing("the tiny test GGUF", `place llama-2-tiny-random.gguf at ${modelPath}`);
  try {
    await import("node-llama-cpp");
  } catch {
    return missing("node-llama-cpp", "npm install node-llama-cpp (optional dependency)");
  }
  return true;
}

// Random weights: the text means nothing; what is tested is the plumbing (grammar, bounds, usage).
const schema = z.object({ label: z.string().max(8), flag: z.boolean() });

let shared: Backend | undefined;
function backend(): Backend {
  shared ??= createLocalBackend({ model: modelPath, gpu: false, contextSize: 512, threads: 1 });
  return shared;
}

test.after(async () => {
  await shared?.close?.();
});

test("local GGUF with a bounded JSON-schema grammar gives schema-valid JSON", async () => {
  if (!(await available())) return;
  {
    const requests = [0, 1].map((i) => ({
      id: `l${i}`,
      model: "tiny-random",
      messages: [
        { role: "system" as const, content: "Reply in JSON." },
        { role: "user" as const, content: `Question ${i}` },
      ],
      sampling: { temperature: 0, top_p: 1, max_tokens: 48, seed: 3 },
      schema,
    }));
    const results = await collect(runRequests(requests, { backend: backend(), health: false, timeoutMs: 60_000 }));
    assert.is(results.length, 2);
    for (const result of results) {
      // A grammar-bound answer is either valid, or cut at max_tokens (reported as truncated, never as ok).
      if (result.ok) {
        assert.ok(schema.safeParse(result.value).success);
        assert.ok((result.usage?.completionTokens ?? 0) > 0);
      } else assert.is(result.reason, "truncated", JSON.stringify(result));
    }
  }
});

test("local: max_tokens is honoured and reported as truncated", async () => {
  if (!(await available())) return;
  {
    const [result] = await collect(
      runRequests(
        [
          {
            id: "t",
            model: "tiny-random",
            messages: [{ role: "user", content: "Go on" }],
            sampling: { temperature: 0, top_p: 1, max_tokens: 3 },
          },
        ],
        { backend: backend(), health: false },
      ),
    );
    if (!result.ok) assert.is(result.reason, "truncated");
    assert.ok((result.usage?.completionTokens ?? 0) <= 4);
  }
});

test("local: a missing GGUF is a config error naming the path", () => {
  try {
    createLocalBackend({ model: "/nonexistent/model.gguf" });
    assert.unreachable();
  } catch (error) {
    assert.ok(LlmError.isInstance(error) && error.message.includes("/nonexistent/model.gguf"));
  }
});

test("local: a file that is not a GGUF stops the run with a clear error", async () => {
  if (!(await available())) return;
  const notGguf = join(tempDir(), "broken.gguf");
  writeFileSync(notGguf, "this is not a model");
  const broken = createLocalBackend({ model: notGguf, gpu: false, threads: 1 });
  try {
    await collect(
      runRequests(
        [
          {
            id: "b",
            model: "x",
            messages: [{ role: "user", content: "hi" }],
            sampling: { temperature: 0, top_p: 1, max_tokens: 2 },
          },
        ],
        {
          backend: broken,
          health: false,
        },
      ),
    );
    assert.unreachable();
  } catch (error) {
    assert.ok(LlmError.isInstance(error) && error.message.includes("broken.gguf"), String(error));
  } finally {
    await broken.close?.();
  }
});

test.run();
