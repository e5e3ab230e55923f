/** One server-sent event. `id` is absent when the message did not set one. */
export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/**
 * An incremental parser for the text/event-stream format: feed it decoded text in chunks of any size
 * (a chunk may end mid-line, even between the CR and LF of a line break) and it returns whole messages.
 */
export class SseParser {
  private buf = '';
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  private sawData = false;
  /** A chunk ended in CR: an LF starting the next chunk belongs to the same line break. */
  private skipLf = false;

  push(chunk: string): SseMessage[] {
    if (this.skipLf && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.skipLf = false;
    this.buf += chunk;
    const out: SseMessage[] = [];
    let start = 0;
    for (let i = 0; i < this.buf.length; i++) {
      const c = this.buf.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.buf.slice(start, i), out);
      if (c === 13) {
        if (i + 1 === this.buf.length) this.skipLf = true;
        else if (this.buf.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.buf = this.buf.slice(start);
    return out;
  }

  /** At end of stream: a message not terminated by a blank line is incomplete, so it is dropped (as browsers do). */
  end(): void {
    this.buf = '';
    this.reset();
  }

  private reset(): void {
    this.data = [];
    this.event = '';
    this.sawData = false;
  }

  private line(line: string, out: SseMessage[]): void {
    if (line === '') {
      if (this.sawData) {
        const msg: SseMessage = { event: this.event || 'message', data: this.data.join('\n') };
        if (this.id !== undefined) msg.id = this.id;
        out.push(msg);
      }
      this.reset();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        this.sawData = true;
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      // `retry` and unknown fields are ignored: reconnection timing is ours to choose.
    }
  }
}

/** Reads a byte stream as SSE messages; multi-byte characters split across chunks are decoded correctly. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    finished = true;
    yield* parser.push(decoder.decode());
    parser.end();
  } finally {
    // A consumer that stops early must close the connection, or the server keeps streaming to nobody.
    if (!finished) reader.cancel().catch(() => {});
    else reader.releaseLock();
  }
}
