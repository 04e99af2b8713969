/** Recorded upstream streams under test/fixtures, and ways to replay them in awkward pieces. */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';

export function readFixture(relativePath: string): Buffer {
  return readFileSync(new URL(`../fixtures/${relativePath}`, import.meta.url));
}

/** Replays bytes in fixed-size pieces, so events (and UTF-8 characters) split across reads. */
export function inPieces(bytes: Buffer, size: number): Readable {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) pieces.push(bytes.subarray(offset, offset + size));
  return Readable.from(pieces, { objectMode: false });
}
