import { describe, expect, it } from 'vitest';
import { readSse, SseParser } from '../../src/lib/backend/sse';

describe('SseParser', () => {
  it('parses one message with an id', () => {
    const p = new SseParser();
    expect(p.push('id: 1\ndata: {"type":"cancelled"}\n\n')).toEqual([{ id: '1', event: 'message', data: '{"type":"cancelled"}' }]);
  });

  it('waits for the blank line before emitting', () => {
    const p = new SseParser();
    expect(p.push('id: 1\ndata: a\n')).toEqual([]);
    expect(p.push('\n')).toEqual([{ id: '1', event: 'message', data: 'a' }]);
  });

  it('handles chunks split mid-line, mid-field and mid-value', () => {
    const text = 'id: 12\ndata: {"type":"progress","progress":{"phase":"reading"}}\n\nid: 13\ndata: {"type":"cancelled"}\n\n';
    for (let cut = 1; cut < text.length; cut++) {
      const p = new SseParser();
      const out = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
      expect(out.map((m) => m.id)).toEqual(['12', '13']);
      expect(JSON.parse(out[0].data).progress.phase).toBe('reading');
    }
  });

  it('handles one character at a time', () => {
    const text = 'id: 1\ndata: x\n\nid: 2\ndata: y\n\n';
    const p = new SseParser();
    const out = [...text].flatMap((ch) => p.push(ch));
    expect(out).toEqual([
      { id: '1', event: 'message', data: 'x' },
      { id: '2', event: 'message', data: 'y' },
    ]);
  });

  it('returns several messages from one chunk', () => {
    const p = new SseParser();
    const out = p.push('id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\n');
    expect(out.map((m) => [m.id, m.data])).toEqual([
      ['1', 'a'],
      ['2', 'b'],
      ['3', 'c'],
    ]);
  });

  it('accepts CRLF and CR line ends, including a CRLF split across chunks', () => {
    const p = new SseParser();
    const out = [...p.push('id: 1\r'), ...p.push('\ndata: a\r'), ...p.push('\n\r'), ...p.push('\nid: 2\rdata: b\r\r')];
    expect(out.map((m) => [m.id, m.data])).toEqual([
      ['1', 'a'],
      ['2', 'b'],
    ]);
  });

  it('joins multi-line data, ignores comments and unknown fields, keeps the event name', () => {
    const p = new SseParser();
    const out = p.push(': keep-alive\n\nevent: task\nretry: 10\nfoo: bar\ndata: line 1\ndata:line 2\n\n');
    expect(out).toEqual([{ event: 'task', data: 'line 1\nline 2' }]);
  });

  it('keeps the last id for later messages that set none, as EventSource does', () => {
    const p = new SseParser();
    const out = p.push('id: 7\ndata: a\n\ndata: b\n\n');
    expect(out.map((m) => m.id)).toEqual(['7', '7']);
  });

  it('emits nothing for a keep-alive comment or an id-only block', () => {
    const p = new SseParser();
    expect(p.push(':\n\nid: 4\n\n')).toEqual([]);
  });

  it('drops an unterminated message at end of stream', () => {
    const p = new SseParser();
    p.push('id: 1\ndata: partial');
    p.end();
    expect(p.push('\n\n')).toEqual([]);
  });
});

describe('readSse', () => {
  it('decodes UTF-8 split across byte chunks', async () => {
    const bytes = new TextEncoder().encode('id: 1\ndata: {"title":"données €"}\n\n');
    const euro = bytes.indexOf(0xe2);
    const chunks = [bytes.slice(0, euro + 1), bytes.slice(euro + 1, euro + 2), bytes.slice(euro + 2)];
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const ch of chunks) c.enqueue(ch);
        c.close();
      },
    });
    const out = [];
    for await (const m of readSse(body)) out.push(m);
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0].data).title).toBe('données €');
  });
});
