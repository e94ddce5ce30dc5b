import { jsonFieldOrRaw, MAX_STRING_LAYERS, parseJsonField } from '../../src/parsing/json-field.js';
import { toJsonValue } from '../../src/parsing/json-value.js';
import { ALIBABA_DOC_FIELD_EXAMPLES, ALIBABA_DOC_RESPONSE } from '../fixtures/doc-examples.js';

const INPUTS_OBJECT = {
  source_language_id: 'en',
  live_id: 123,
  live_url: { url: 'rtmp://test.com.cn/video/638d9088fe4f15ce' },
};

describe('parseJsonField', () => {
  describe('absent values', () => {
    it('reads undefined and null as ok null', () => {
      expect(parseJsonField(undefined)).toEqual({ ok: true, value: null });
      expect(parseJsonField(null)).toEqual({ ok: true, value: null });
    });
  });

  describe('the three encodings of one object', () => {
    const object = { a: 1, b: [true, null, 'x'], c: { d: 'e"f' } };
    const text = JSON.stringify(object);

    it('uses an object as is (a copy, equal in value)', () => {
      const result = parseJsonField(object);
      expect(result).toEqual({ ok: true, value: object });
      expect(result.ok && result.value).not.toBe(object);
    });

    it('decodes JSON text', () => {
      expect(parseJsonField(text)).toEqual({ ok: true, value: object });
    });

    it('decodes a double-encoded string', () => {
      expect(parseJsonField(JSON.stringify(text))).toEqual({ ok: true, value: object });
    });

    it('decodes a string with backslash-escaped quotes', () => {
      const escaped = JSON.stringify(text).slice(1, -1);
      expect(escaped).toContain('\\"');
      expect(parseJsonField(escaped)).toEqual({ ok: true, value: object });
    });

    it('decodes arrays in every encoding', () => {
      const array = [{ x: 1 }, 'two'];
      const t = JSON.stringify(array);
      expect(parseJsonField(array)).toEqual({ ok: true, value: array });
      expect(parseJsonField(t)).toEqual({ ok: true, value: array });
      expect(parseJsonField(JSON.stringify(t))).toEqual({ ok: true, value: array });
      expect(parseJsonField(JSON.stringify(t).slice(1, -1))).toEqual({ ok: true, value: array });
    });

    it('tolerates surrounding whitespace, a byte-order mark and pretty-printed escaped text', () => {
      expect(parseJsonField(`  \uFEFF${text}\n`)).toEqual({ ok: true, value: object });
      expect(parseJsonField(`\uFEFF${text}`)).toEqual({ ok: true, value: object });
      const prettyEscaped = JSON.stringify(JSON.stringify(object, null, 2))
        .slice(1, -1)
        .replace(/\\n/g, '\n');
      expect(parseJsonField(prettyEscaped)).toEqual({ ok: true, value: object });
    });
  });

  describe('the Alibaba doc example', () => {
    const task = (JSON.parse(ALIBABA_DOC_RESPONSE) as { WorkflowTask: Record<string, unknown> }).WorkflowTask;

    it('reproduces the doc escaping: Inputs is text with literal backslashes', () => {
      expect(task.Inputs).toBe(ALIBABA_DOC_FIELD_EXAMPLES.inputs);
      expect(task.Inputs).toBe(
        '{\\"source_language_id\\":\\"en\\",\\"live_id\\":123,\\"live_url\\":{\\"url\\":\\"rtmp://test.com.cn/video/638d9088fe4f15ce\\"}}',
      );
    });

    it('parses Inputs to the object', () => {
      expect(parseJsonField(task.Inputs)).toEqual({ ok: true, value: INPUTS_OBJECT });
    });

    it('parses UserData and Outputs objects and their table example texts to the same value', () => {
      expect(parseJsonField(task.UserData)).toEqual({ ok: true, value: { NotifyAddress: 'http://xx.xx.xxx' } });
      expect(parseJsonField(ALIBABA_DOC_FIELD_EXAMPLES.userData)).toEqual(parseJsonField(task.UserData));
      expect(parseJsonField(task.Outputs)).toEqual({ ok: true, value: { result: 'test' } });
      expect(parseJsonField(ALIBABA_DOC_FIELD_EXAMPLES.outputs)).toEqual(parseJsonField(task.Outputs));
    });

    it('refuses the elided NodeResults and Graph placeholders, keeping the text', () => {
      expect(parseJsonField(task.NodeResults)).toEqual({
        ok: false,
        raw: '{...}',
        reason: expect.stringContaining('not valid JSON'),
      });
      const graph = (task.Workflow as Record<string, unknown>).Graph;
      expect(parseJsonField(graph)).toMatchObject({ ok: false, raw: graph });
      expect(parseJsonField(ALIBABA_DOC_FIELD_EXAMPLES.graph)).toMatchObject({
        ok: false,
        raw: ALIBABA_DOC_FIELD_EXAMPLES.graph,
      });
    });
  });

  describe('text that is not JSON', () => {
    it.each(['hello', '{...}', '{a:1}', "{'a':1}", '[1,2', 'undefined', 'NaN', '{\\"a\\":1'])(
      'keeps %p as raw',
      (text) => {
        expect(parseJsonField(text)).toEqual({ ok: false, raw: text, reason: expect.any(String) });
      },
    );

    it('keeps an empty or blank string as raw', () => {
      expect(parseJsonField('')).toEqual({ ok: false, raw: '', reason: 'empty string is not JSON' });
      expect(parseJsonField('   ')).toEqual({ ok: false, raw: '   ', reason: 'empty string is not JSON' });
    });

    it('keeps a JSON string literal whose content looks like an object but is not JSON as raw', () => {
      expect(parseJsonField('"{...}"')).toEqual({
        ok: false,
        raw: '"{...}"',
        reason: expect.stringContaining('not valid JSON'),
      });
    });

    it('keeps the raw text exactly as it came, untrimmed', () => {
      expect(parseJsonField('  {nope}  ')).toMatchObject({ ok: false, raw: '  {nope}  ' });
    });
  });

  describe('JSON text that decodes to a scalar stays the string as sent', () => {
    it.each(['42', '12345678901234567890', '1.0', '1e2', 'true', 'false', 'null', '"hi"', '"42"', ' 7 '])(
      '%p',
      (text) => {
        expect(parseJsonField(text)).toEqual({ ok: true, value: text });
      },
    );

    it('keeps scalars that arrive as JSON values typed', () => {
      expect(parseJsonField(42)).toEqual({ ok: true, value: 42 });
      expect(parseJsonField(false)).toEqual({ ok: true, value: false });
      expect(parseJsonField(0)).toEqual({ ok: true, value: 0 });
    });
  });

  describe('bounded decoding', () => {
    const object = { deep: true };
    const encode = (times: number): string => {
      let text = JSON.stringify(object);
      for (let i = 1; i < times; i += 1) text = JSON.stringify(text);
      return text;
    };

    it(`decodes up to ${MAX_STRING_LAYERS} layers`, () => {
      expect(parseJsonField(encode(MAX_STRING_LAYERS))).toEqual({ ok: true, value: object });
    });

    it('stops after that and keeps the text', () => {
      const text = encode(MAX_STRING_LAYERS + 1);
      expect(parseJsonField(text)).toEqual({
        ok: false,
        raw: text,
        reason: `more than ${MAX_STRING_LAYERS} layers of string encoding`,
      });
    });

    it('undoes backslash escaping applied twice (two unescapes + one decode)', () => {
      const escapeOnce = (text: string): string => JSON.stringify(text).slice(1, -1);
      const escapedTwice = escapeOnce(escapeOnce(JSON.stringify(object)));
      expect(escapedTwice).toBe(String.raw`{\\\"deep\\\":true}`);
      expect(parseJsonField(escapedTwice)).toEqual({ ok: true, value: object });
    });

    it('treats a string literal nested in string literals as text, kept as sent', () => {
      const text = JSON.stringify(JSON.stringify('hi'));
      expect(parseJsonField(text)).toEqual({ ok: true, value: text });
    });
  });

  describe('values that are not JSON-shaped', () => {
    it('refuses non-finite numbers, bigints, functions and symbols', () => {
      expect(parseJsonField(Number.NaN)).toMatchObject({ ok: false, raw: 'NaN' });
      expect(parseJsonField(Number.POSITIVE_INFINITY)).toMatchObject({ ok: false });
      expect(parseJsonField(BigInt(1))).toMatchObject({ ok: false, raw: '1' });
      expect(parseJsonField(() => 1)).toMatchObject({ ok: false });
      expect(parseJsonField(Symbol('s'))).toMatchObject({ ok: false, raw: 'Symbol(s)' });
    });

    it('refuses cycles, class instances, Dates and nested non-finite numbers', () => {
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic.self = cyclic;
      expect(parseJsonField(cyclic)).toMatchObject({ ok: false, reason: expect.stringContaining('cycle') });
      expect(parseJsonField(new Map())).toMatchObject({ ok: false, reason: expect.stringContaining('Map') });
      expect(parseJsonField(new Date(0))).toMatchObject({ ok: false });
      expect(parseJsonField({ a: [1, Number.NaN] })).toMatchObject({ ok: false, raw: '{"a":[1,null]}' });
      expect(parseJsonField([undefined])).toMatchObject({ ok: false });
    });

    it('allows shared (non-cyclic) references and drops undefined members', () => {
      const shared = { x: 1 };
      expect(parseJsonField({ a: shared, b: shared, c: undefined })).toEqual({
        ok: true,
        value: { a: { x: 1 }, b: { x: 1 } },
      });
    });

    it('accepts null-prototype objects', () => {
      const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
      expect(parseJsonField(bare)).toEqual({ ok: true, value: { a: 1 } });
    });

    it('keeps a "__proto__" key as data without touching the prototype', () => {
      const result = parseJsonField('{"__proto__":{"polluted":true},"a":1}');
      expect(result.ok).toBe(true);
      const value = (result as { value: Record<string, unknown> }).value;
      expect(Object.keys(value)).toEqual(['__proto__', 'a']);
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('survives objects whose getters throw', () => {
      const hostile = Object.defineProperty({}, 'boom', {
        enumerable: true,
        get() {
          throw new Error('no');
        },
      });
      expect(parseJsonField(hostile)).toMatchObject({ ok: false });
      const proxy = new Proxy(
        {},
        {
          ownKeys: () => {
            throw new Error('trap');
          },
        },
      );
      expect(parseJsonField(proxy)).toMatchObject({ ok: false });
    });

    it('refuses absurdly deep nesting instead of overflowing the stack', () => {
      let deep: unknown = 1;
      for (let i = 0; i < 10_000; i += 1) deep = [deep];
      expect(toJsonValue(deep)).toMatchObject({ ok: false, reason: expect.stringContaining('deeper') });
      expect(parseJsonField(`${'['.repeat(10_000)}${']'.repeat(10_000)}`)).toMatchObject({ ok: false });
    });
  });
});

describe('jsonFieldOrRaw', () => {
  it('gives the value when the field parses', () => {
    expect(jsonFieldOrRaw('{"a":1}')).toEqual({ a: 1 });
    expect(jsonFieldOrRaw({ a: 1 })).toEqual({ a: 1 });
    expect(jsonFieldOrRaw(null)).toBeNull();
    expect(jsonFieldOrRaw(undefined)).toBeNull();
    expect(jsonFieldOrRaw('42')).toBe('42');
  });

  it('gives the text as sent when it does not', () => {
    expect(jsonFieldOrRaw('{...}')).toBe('{...}');
    expect(jsonFieldOrRaw('hello')).toBe('hello');
    expect(jsonFieldOrRaw('')).toBe('');
  });
});
