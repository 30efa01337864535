import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

/** Lines of a text file with 1-based numbers, streamed (terminology files run to hundreds of MB). */
export async function* numberedLines(file: string): AsyncGenerator<[number, string]> {
  const lines = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const line of lines) {
    n++;
    yield [n, line];
  }
}
