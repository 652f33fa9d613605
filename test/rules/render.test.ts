import { describe, expect, it } from "vitest";
import type { KeyValue } from "../../src/db/schema";
import { type RenderableDestination, renderRequest } from "../../src/rules/render";
import { checkTemplateSyntax, TemplateError } from "../../src/rules/templates";

const dest = (over: Partial<RenderableDestination> = {}): RenderableDestination => ({
  method: "POST",
  urlTemplate: "https://api.example.com/hooks",
  headersTemplate: [],
  queryTemplate: [],
  bodyTemplate: null,
  ...over,
});
const header = (key: string, value: string): KeyValue => ({ key, value });

const payload = {
  event: { id: "evt_1", type: "contact.updated", occurred_at: "2026-11-26T21:00:00.000Z" },
  workspace: { uuid: "ws-1" },
  contact: {
    _id: "c_1",
    attributes: {
      email: "ada@example.com",
      score: 42,
      ratio: 0.5,
      vip: true,
      nickname: null,
      tags: ["a", "b"],
      bio: "</script><script>alert(1)</script>",
    },
  },
};

// [label, value, url path component, query parameter, JSON string content]; header and text body are raw.
const hostile: [string, string, string, string, string][] = [
  ["quote", 'a"b', "a%22b", "a%22b", 'a\\"b'],
  ["backslash", "a\\b", "a%5Cb", "a%5Cb", "a\\\\b"],
  ["newline", "a\nb", "a%0Ab", "a%0Ab", "a\\nb"],
  ["CRLF", "x\r\nInjected: 1", "x%0D%0AInjected%3A%201", "x%0D%0AInjected%3A+1", "x\\r\\nInjected: 1"],
  ["script", "</script>", "%3C%2Fscript%3E", "%3C%2Fscript%3E", "\\u003c/script\\u003e"],
  ["emoji", "😀", "%F0%9F%98%80", "%F0%9F%98%80", "😀"],
  [
    "RTL",
    "\u202Eשלום",
    "%E2%80%AE%D7%A9%D7%9C%D7%95%D7%9D",
    "%E2%80%AE%D7%A9%D7%9C%D7%95%D7%9D",
    "\u202Eשלום",
  ],
  ["U+2028", "a\u2028b", "a%E2%80%A8b", "a%E2%80%A8b", "a\\u2028b"],
  ["dot-dot", "..", "<error>", "..", ".."],
  ["dot", ".", "<error>", ".", "."],
  ["dots inside", "a..b", "a..b", "a..b", "a..b"],
  ["at", "@", "%40", "%40", "@"],
  ["hash", "#", "%23", "%23", "#"],
  ["question", "?", "%3F", "%3F", "?"],
  ["slash", "/", "%2F", "%2F", "/"],
  ["percent", "%2e%2e", "%252e%252e", "%252e%252e", "%2e%2e"],
  ["ampersand", "&", "%26", "%26", "\\u0026"],
  ["equals", "=", "%3D", "%3D", "="],
  ["space", "a b", "a%20b", "a+b", "a b"],
  ["plus", "a+b", "a%2Bb", "a%2Bb", "a+b"],
  ["empty", "", "", "", ""],
];

describe("hostile values in every context", () => {
  for (const [label, value, url, query, json] of hostile) {
    describe(label, () => {
      const view = { v: value };

      it("url path", () => {
        const render = () =>
          renderRequest(dest({ method: "GET", urlTemplate: "https://h.example/c/{{v}}/x" }), view);
        if (url === "<error>")
          expect(render).toThrow(
            new TemplateError(`url template: a value of "${value}" would walk the path`),
          );
        else expect(render().url).toBe(`https://h.example/c/${url}/x`);
      });

      it("url query written in the url template", () => {
        const render = () =>
          renderRequest(dest({ method: "GET", urlTemplate: "https://h.example/c?v={{v}}" }), view);
        if (url === "<error>") expect(render).toThrow(TemplateError);
        else expect(render().url).toBe(`https://h.example/c?v=${url}`);
      });

      it("query template", () => {
        const rendered = renderRequest(
          dest({ method: "GET", queryTemplate: [{ key: "v", value: "{{v}}" }] }),
          view,
        );
        expect(rendered.url).toBe(`https://api.example.com/hooks?v=${query}`);
        expect(new URL(rendered.url).searchParams.get("v")).toBe(value);
      });

      it("header", () => {
        const render = () =>
          renderRequest(dest({ method: "GET", headersTemplate: [header("X-V", "<{{v}}>")] }), view);
        if (/[\r\n]/.test(value))
          expect(render).toThrow(new TemplateError('header "X-V" rendered a CR, LF or NUL character'));
        else expect(render().headers).toEqual([["X-V", `<${value}>`]]);
      });

      it("JSON body", () => {
        const rendered = renderRequest(dest({ bodyTemplate: '{"v": "{{v}}", "w": "{{{v}}}"}' }), view);
        expect(rendered.body).toBe(`{"v": "${json}", "w": "${json}"}`);
        expect(JSON.parse(rendered.body as string)).toEqual({ v: value, w: value });
        expect(rendered.headers).toEqual([["Content-Type", "application/json"]]);
      });

      it("text body", () => {
        const rendered = renderRequest(dest({ bodyTemplate: "v={{v}};w={{& v}}" }), view);
        expect(rendered.body).toBe(`v=${value};w=${value}`);
        expect(rendered.headers).toEqual([["Content-Type", "text/plain; charset=utf-8"]]);
      });
    });
  }
});

describe("triple mustache and & are still escaped by context", () => {
  const view = { v: "../admin?x=1#", crlf: "a\r\nSet-Cookie: x", quote: 'a"}' };

  it("url", () => {
    const rendered = renderRequest(
      dest({ method: "GET", urlTemplate: "https://h.example/{{{v}}}/{{& v}}" }),
      view,
    );
    expect(rendered.url).toBe("https://h.example/..%2Fadmin%3Fx%3D1%23/..%2Fadmin%3Fx%3D1%23");
    expect(() =>
      renderRequest(dest({ method: "GET", urlTemplate: "https://h.example/{{{d}}}" }), { d: ".." }),
    ).toThrow(TemplateError);
  });

  it("header", () => {
    for (const tpl of ["{{{crlf}}}", "{{& crlf}}", "{{#v}}{{{crlf}}}{{/v}}"])
      expect(() => renderRequest(dest({ headersTemplate: [header("X-A", tpl)] }), view)).toThrow(
        'header "X-A" rendered a CR, LF or NUL character',
      );
  });

  it("NUL in a header", () => {
    expect(() => renderRequest(dest({ headersTemplate: [header("X-A", "{{v}}")] }), { v: "a\0b" })).toThrow(
      TemplateError,
    );
  });

  it("JSON body, also inside sections", () => {
    const rendered = renderRequest(
      dest({ bodyTemplate: '{"a": "{{{quote}}}"{{#v}}, "b": "{{& quote}}"{{/v}}}' }),
      view,
    );
    expect(rendered.body).toBe('{"a": "a\\"}", "b": "a\\"}"}');
    expect(JSON.parse(rendered.body as string)).toEqual({ a: 'a"}', b: 'a"}' });
  });
});

describe("values", () => {
  it("objects and arrays render as JSON text in a JSON body", () => {
    const rendered = renderRequest(
      dest({ bodyTemplate: '{"attrs": {{contact.attributes}}, "tags": {{{contact.attributes.tags}}}}' }),
      payload,
    );
    const parsed = JSON.parse(rendered.body as string);
    expect(parsed).toEqual({ attrs: payload.contact.attributes, tags: ["a", "b"] });
    expect(rendered.body).toContain(
      '"bio":"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"',
    );
  });

  it("objects and arrays render as JSON text elsewhere", () => {
    const rendered = renderRequest(
      dest({
        urlTemplate: "https://h.example/{{contact.attributes.tags}}",
        headersTemplate: [header("X-Tags", "{{contact.attributes.tags}}"), header("X-W", "{{workspace}}")],
        queryTemplate: [{ key: "t", value: "{{contact.attributes.tags}}" }],
        bodyTemplate: "tags {{contact.attributes.tags}}",
      }),
      payload,
    );
    expect(rendered.url).toBe("https://h.example/%5B%22a%22%2C%22b%22%5D?t=%5B%22a%22%2C%22b%22%5D");
    expect(rendered.headers).toEqual([
      ["X-Tags", '["a","b"]'],
      ["X-W", '{"uuid":"ws-1"}'],
      ["Content-Type", "text/plain; charset=utf-8"],
    ]);
    expect(rendered.body).toBe('tags ["a","b"]');
  });

  it("numbers, booleans and null as JSON text in a JSON body", () => {
    const body =
      '{"s": {{contact.attributes.score}}, "r": {{contact.attributes.ratio}}, "v": {{contact.attributes.vip}}, "n": {{contact.attributes.nickname}}, "q": "{{contact.attributes.score}}"}';
    const rendered = renderRequest(dest({ bodyTemplate: body }), payload);
    expect(rendered.body).toBe('{"s": 42, "r": 0.5, "v": true, "n": null, "q": "42"}');
  });

  it("numbers and booleans via String(), null as nothing outside JSON", () => {
    const tpl = "{{contact.attributes.score}}|{{contact.attributes.vip}}|{{contact.attributes.nickname}}|";
    const rendered = renderRequest(
      dest({
        urlTemplate: `https://h.example/${tpl}`,
        headersTemplate: [header("X-A", tpl)],
        bodyTemplate: tpl,
      }),
      payload,
    );
    expect(rendered.url).toBe("https://h.example/42|true||" /* the | are literal */);
    expect(rendered.headers[0]).toEqual(["X-A", "42|true||"]);
    expect(rendered.body).toBe("42|true||");
  });

  it("missing values render as nothing", () => {
    const rendered = renderRequest(
      dest({
        urlTemplate: "https://h.example/c/{{contact.missing}}",
        headersTemplate: [header("X-M", "[{{nope}}]")],
        queryTemplate: [{ key: "m", value: "{{nope.deeper}}" }],
        bodyTemplate: '{"m": "{{contact.attributes.missing}}"}',
      }),
      payload,
    );
    expect(rendered.url).toBe("https://h.example/c/?m=");
    expect(rendered.headers[0]).toEqual(["X-M", "[]"]);
    expect(rendered.body).toBe('{"m": ""}');
  });

  it("a missing value left unquoted in a JSON body is a template error", () => {
    expect(() => renderRequest(dest({ bodyTemplate: '{"m": {{nope}}}' }), payload)).toThrow(
      /^body template did not render valid JSON: /,
    );
  });

  it("prototype members are not reachable", () => {
    const rendered = renderRequest(
      dest({ bodyTemplate: "<{{constructor}}|{{contact.toString}}|{{contact.attributes.email.length}}>" }),
      payload,
    );
    expect(rendered.body).toBe("<||15>");
  });
});

describe("sections", () => {
  const render = (bodyTemplate: string) => renderRequest(dest({ bodyTemplate }), payload).body;

  it("iterates arrays with {{.}} and keeps parent lookups", () => {
    expect(render("{{#contact.attributes.tags}}{{.}}:{{event.type}};{{/contact.attributes.tags}}")).toBe(
      "a:contact.updated;b:contact.updated;",
    );
  });

  it("builds a JSON array", () => {
    const body = render('{"tags": [{{#contact.attributes.tags}}"{{.}}",{{/contact.attributes.tags}}"end"]}');
    expect(JSON.parse(body as string)).toEqual({ tags: ["a", "b", "end"] });
  });

  it("pushes objects as context", () => {
    expect(render("{{#contact}}{{_id}} {{attributes.email}} {{workspace.uuid}}{{/contact}}")).toBe(
      "c_1 ada@example.com ws-1",
    );
  });

  it("renders true sections in place and skips falsy ones", () => {
    expect(render("{{#contact.attributes.vip}}VIP {{contact._id}}{{/contact.attributes.vip}}")).toBe(
      "VIP c_1",
    );
    expect(
      render("a{{#contact.attributes.nickname}}x{{/contact.attributes.nickname}}b{{#nope}}y{{/nope}}c"),
    ).toBe("abc");
  });

  it("inverted sections", () => {
    expect(render("{{^contact.attributes.nickname}}no nickname{{/contact.attributes.nickname}}")).toBe(
      "no nickname",
    );
    expect(render("{{^contact.attributes.tags}}none{{/contact.attributes.tags}}|")).toBe("|");
    expect(renderRequest(dest({ bodyTemplate: "{{^t}}none{{/t}}" }), { t: [] }).body).toBe("none");
  });

  it("comments render as nothing", () => {
    expect(render("a{{! a comment }}b")).toBe("ab");
  });
});

describe("body", () => {
  const full = JSON.stringify(payload);

  for (const method of ["POST", "PUT", "PATCH", "DELETE"] as const)
    for (const bodyTemplate of [null, "", "  \n\t"])
      it(`blank template on ${method} (${JSON.stringify(bodyTemplate)}) sends the full payload`, () => {
        const rendered = renderRequest(dest({ method, bodyTemplate }), payload);
        expect(rendered).toEqual({
          method,
          url: "https://api.example.com/hooks",
          headers: [["Content-Type", "application/json"]],
          body: full,
        });
      });

  for (const bodyTemplate of [null, "", "  "])
    it(`blank template on GET (${JSON.stringify(bodyTemplate)}) sends no body`, () => {
      const rendered = renderRequest(dest({ method: "GET", bodyTemplate }), payload);
      expect(rendered).toEqual({
        method: "GET",
        url: "https://api.example.com/hooks",
        headers: [],
        body: null,
      });
    });

  it("a body template on GET is a template error", () => {
    expect(() => renderRequest(dest({ method: "GET", bodyTemplate: "x" }), payload)).toThrow(
      "body template: a GET request cannot carry a body",
    );
  });

  it("the full payload keeps a configured Content-Type", () => {
    const rendered = renderRequest(
      dest({ headersTemplate: [header("content-type", "application/json")] }),
      payload,
    );
    expect(rendered.headers).toEqual([["content-type", "application/json"]]);
  });
});

describe("Content-Type rules", () => {
  const view = { v: 'a"b' };
  const render = (bodyTemplate: string, contentType?: string) =>
    renderRequest(
      dest({
        headersTemplate: [
          header("X-First", "1"),
          ...(contentType ? [header("Content-Type", contentType)] : []),
        ],
        bodyTemplate,
      }),
      view,
    );

  it("JSON by template shape when there is no Content-Type", () => {
    expect(render(' \n [ "{{v}}" ]').body).toBe(' \n [ "a\\"b" ]');
    expect(render(' \n [ "{{v}}" ]').headers).toEqual([
      ["X-First", "1"],
      ["Content-Type", "application/json"],
    ]);
  });

  it("a leading mustache tag is not a JSON object", () => {
    for (const template of ["{{v}}", " {{{v}}}", "{{#v}}{{/v}}{}"])
      expect(render(template).headers[1]).toEqual(["Content-Type", "text/plain; charset=utf-8"]);
    expect(render('{ "v": "{{v}}" }').headers[1]).toEqual(["Content-Type", "application/json"]);
    expect(render('[{{#v}}"{{v}}"{{/v}}]').body).toBe('["a\\"b"]');
  });

  it("text when there is no Content-Type and the template is not an object or array", () => {
    const rendered = render('"{{v}}"');
    expect(rendered.body).toBe('"a"b"');
    expect(rendered.headers[1]).toEqual(["Content-Type", "text/plain; charset=utf-8"]);
  });

  for (const type of [
    "application/json",
    "Application/JSON; charset=utf-8",
    "application/vnd.api+json",
    "application/merge-patch+json ; charset=utf-8",
    "text/json",
  ])
    it(`JSON by Content-Type ${type}`, () => {
      const rendered = render('"{{v}}"', type);
      expect(rendered.body).toBe('"a\\"b"');
      expect(rendered.headers).toEqual([
        ["X-First", "1"],
        ["Content-Type", type],
      ]);
    });

  for (const type of [
    "text/plain",
    "application/jsonp",
    "application/x-www-form-urlencoded",
    "application/json-seq",
  ])
    it(`text by Content-Type ${type}, even when the template looks like JSON`, () => {
      const rendered = render('{"v": "{{v}}"}', type);
      expect(rendered.body).toBe('{"v": "a"b"}');
      expect(rendered.headers).toHaveLength(2);
    });

  it("the Content-Type key is matched case-insensitively", () => {
    const rendered = renderRequest(
      dest({ headersTemplate: [header("CONTENT-type", "text/plain")], bodyTemplate: "{{v}}" }),
      view,
    );
    expect(rendered.headers).toEqual([["CONTENT-type", "text/plain"]]);
  });

  it("a JSON body that does not parse is a template error", () => {
    expect(() => render('{"v": {{v}}}')).toThrow(TemplateError);
    expect(() => render('{"v": {{v}}}')).toThrow(/^body template did not render valid JSON: /);
  });
});

describe("url and query", () => {
  it("appends the query template after the url's own query, in order, without re-encoding it", () => {
    const rendered = renderRequest(
      dest({
        method: "GET",
        urlTemplate: "https://h.example/p?a=1&b=%20x&c='y'",
        queryTemplate: [
          { key: "z", value: "{{event.type}}" },
          { key: "a b", value: "{{contact.attributes.email}}" },
          { key: "z", value: "2" },
        ],
      }),
      payload,
    );
    expect(rendered.url).toBe(
      "https://h.example/p?a=1&b=%20x&c=%27y%27&z=contact.updated&a+b=ada%40example.com&z=2",
    );
  });

  it("adds a query when the url has none, or an empty one", () => {
    for (const urlTemplate of ["https://h.example/p", "https://h.example/p?"])
      expect(
        renderRequest(dest({ urlTemplate, queryTemplate: [{ key: "q", value: "1" }] }), payload).url,
      ).toBe("https://h.example/p?q=1");
  });

  it("a url that does not parse is a template error", () => {
    expect(() => renderRequest(dest({ urlTemplate: "https://exa mple.com/{{v}}" }), { v: "x" })).toThrow(
      "url template did not render a valid URL",
    );
    expect(() =>
      renderRequest(dest({ urlTemplate: "https://{{v}}.example.com/" }), { v: "a/b@evil" }),
    ).toThrow(TemplateError);
  });

  it("a lone surrogate is replaced, not a crash", () => {
    expect(renderRequest(dest({ urlTemplate: "https://h.example/{{v}}" }), { v: "a\uD800" }).url).toBe(
      "https://h.example/a%EF%BF%BD",
    );
  });
});

describe("template errors say which template", () => {
  const cases: [Partial<RenderableDestination>, string][] = [
    [{ urlTemplate: "https://h.example/{{#a}}" }, 'url template: Unclosed section "a"'],
    [{ headersTemplate: [header("X-A", "{{b")] }, 'header "X-A" template: Unclosed tag'],
    [{ queryTemplate: [{ key: "q", value: "{{/c}}" }] }, 'query "q" template: Unopened section "c"'],
    [{ bodyTemplate: "{{> p}}" }, "body template: partials ({{> name}}) are not supported"],
    [
      { bodyTemplate: "{{=<% %>=}}<% a %>" },
      "body template: delimiter changes ({{=<% %>=}}) are not supported",
    ],
  ];
  for (const [over, message] of cases)
    it(message, () => {
      expect(() => renderRequest(dest(over), payload)).toThrow(new TemplateError(message));
    });

  it("TemplateError is an Error with its own name", () => {
    const error = new TemplateError("x");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("TemplateError");
  });
});

describe("checkTemplateSyntax", () => {
  const cases: [string, string, number][] = [
    ["hello {{name", "Unclosed tag", 12],
    ["{{{name}}", "Unclosed tag", 9],
    ["ab{{#a}}x", 'Unclosed section "a"', 9],
    ["ab{{/a}}", 'Unopened section "a"', 2],
    ["{{#a}}{{/b}}", 'Unclosed section "a"', 6],
    ["x {{> partial}}", "partials ({{> name}}) are not supported", 2],
    ["{{#a}}{{>p}}{{/a}}", "partials ({{> name}}) are not supported", 6],
    ["ab{{=<% %>=}}<% x %>", "delimiter changes ({{=<% %>=}}) are not supported", 2],
    ["ab{{ =<% %>=}}<% x", "delimiter changes ({{=<% %>=}}) are not supported", 2],
    ["{{= x =}}", "delimiter changes ({{=<% %>=}}) are not supported", 0],
  ];
  for (const [template, message, position] of cases)
    it(`${JSON.stringify(template)} → ${message} at ${position}`, () => {
      expect(checkTemplateSyntax(template)).toEqual({ ok: false, message, position });
    });

  for (const template of [
    "",
    "plain",
    "{{{x}}} {{& y}} {{! note }}",
    "{{#a}}{{.}}{{/a}}{{^b}}-{{/b}}",
    "{{a.b.c}}",
  ])
    it(`${JSON.stringify(template)} is valid`, () => {
      expect(checkTemplateSyntax(template)).toEqual({ ok: true });
    });
});
