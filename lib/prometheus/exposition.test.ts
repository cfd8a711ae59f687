import { describe, expect, it } from "vitest";
import { exactCount, ExpositionError, histogramSeries, parseExposition, type Sample, sampleValue } from "./exposition";

const sample = (value: string): Sample => ({ name: "x_total", labels: {}, value, timestampMs: null, line: 1 });

describe("parseExposition", () => {
  it("reads HELP, TYPE, labels, values and timestamps", () => {
    const families = parseExposition(
      [
        "# HELP http_requests_total The total number of HTTP requests.",
        "# TYPE http_requests_total counter",
        'http_requests_total{method="post",code="200"} 1027 1395066363000',
        'http_requests_total{method="post",code="400"}    3 1395066363000',
        "",
        "# A comment that is not HELP or TYPE",
        'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
        "metric_without_timestamp_and_labels 12.47",
        "something_weird{problem=\"division by zero\"} +Inf -3982045",
        "not_a_number NaN",
        "minus_infinity -Inf",
      ].join("\n"),
    );
    const http = families.get("http_requests_total")!;
    expect(http.type).toBe("counter");
    expect(http.help).toBe("The total number of HTTP requests.");
    expect(http.samples.map((s) => [s.labels, s.value, s.timestampMs])).toEqual([
      [{ method: "post", code: "200" }, "1027", 1395066363000],
      [{ method: "post", code: "400" }, "3", 1395066363000],
    ]);
    expect(families.get("msdos_file_access_time_seconds")!.samples[0]!.labels).toEqual({ path: "C:\\DIR\\FILE.TXT", error: 'Cannot find file:\n"FILE.TXT"' });
    expect(families.get("msdos_file_access_time_seconds")!.type).toBe("untyped");
    expect(sampleValue(families.get("something_weird")!.samples[0]!)).toBe(Infinity);
    expect(families.get("something_weird")!.samples[0]!.timestampMs).toBe(-3982045);
    expect(sampleValue(families.get("not_a_number")!.samples[0]!)).toBeNaN();
    expect(sampleValue(families.get("minus_infinity")!.samples[0]!)).toBe(-Infinity);
  });

  it("tolerates blanks before a line and around labels, and blank-only lines", () => {
    const families = parseExposition('  \t# TYPE x gauge\n \t \n  x { a = "1" , b="2" }  \t 3  \n');
    expect(families.get("x")!.type).toBe("gauge");
    expect(families.get("x")!.samples[0]!).toMatchObject({ labels: { a: "1", b: "2" }, value: "3", line: 3 });
  });

  it("keeps a label value's braces, commas and escaped quotes, and a trailing comma", () => {
    const families = parseExposition('x{a="}{,=\\"",b="\\\\",} 1\n');
    expect(families.get("x")!.samples[0]!.labels).toEqual({ a: '}{,="', b: "\\" });
  });

  it("unescapes HELP text and tolerates CRLF line ends and an empty HELP", () => {
    const families = parseExposition("# HELP a line\\nbreak and \\\\ backslash\r\n# TYPE a gauge\r\na 1\r\n# HELP b\nb 2\n");
    expect(families.get("a")!.help).toBe("line\nbreak and \\ backslash");
    expect(families.get("a")!.samples[0]!.value).toBe("1");
    expect(families.get("b")!.help).toBe("");
  });

  it("groups histogram and summary samples under their family, and keeps _created a family of its own", () => {
    const families = parseExposition(
      [
        "# TYPE vllm:e2e_request_latency_seconds histogram",
        'vllm:e2e_request_latency_seconds_bucket{engine="0",le="0.3",model_name="m"} 1.0',
        'vllm:e2e_request_latency_seconds_bucket{engine="0",le="+Inf",model_name="m"} 3.0',
        'vllm:e2e_request_latency_seconds_count{engine="0",model_name="m"} 3.0',
        'vllm:e2e_request_latency_seconds_sum{engine="0",model_name="m"} 2.5',
        "# TYPE vllm:e2e_request_latency_seconds_created gauge",
        'vllm:e2e_request_latency_seconds_created{engine="0",model_name="m"} 1.796029923412754e+09',
        "# TYPE rpc_duration_seconds summary",
        'rpc_duration_seconds{quantile="0.5"} 4773',
        "rpc_duration_seconds_sum 1.7560473e+07",
        "rpc_duration_seconds_count 2693",
      ].join("\n"),
    );
    expect([...families.keys()]).toEqual(["vllm:e2e_request_latency_seconds", "vllm:e2e_request_latency_seconds_created", "rpc_duration_seconds"]);
    expect(families.get("vllm:e2e_request_latency_seconds")!.samples).toHaveLength(4);
    expect(families.get("rpc_duration_seconds")!.samples).toHaveLength(3);
  });

  // Each malformed input, and the message that names what is wrong.
  const malformed: [string, string, RegExp][] = [
    ["bad metric name", "1abc 1", /line 1: invalid metric name/],
    ["bad label name", 'x{1a="b"} 1', /invalid label name/],
    ["reserved label name", 'x{__name__="b"} 1', /reserved/],
    ["label twice", 'x{a="1",a="2"} 1', /label "a" given twice/],
    ["unquoted label value", "x{a=1} 1", /double quotes/],
    ["unterminated label value", 'x{a="1} 1', /unterminated/],
    ["unknown escape in label", 'x{a="\\t"} 1', /invalid escape/],
    ["missing comma between labels", 'x{a="1" b="2"} 1', /expected "," or "}"/],
    ["missing value", "x", /missing value/],
    ["bad value", "x one", /invalid value "one"/],
    ["hex value", "x 0x1A", /invalid value/],
    ["bad timestamp", "x 1 12.5", /invalid timestamp/],
    ["extra text", "x 1 2 3", /unexpected text/],
    ["unknown type", "# TYPE x countr", /unknown TYPE "countr"/],
    ["second TYPE", "# TYPE x counter\n# TYPE x counter\nx 1", /line 2: x: second TYPE/],
    ["second HELP", "# HELP x a\n# HELP x b", /second HELP/],
    ["TYPE after samples", "x 1\n# TYPE x counter", /TYPE must come before/],
    ["family split in two", "a 1\nb 1\na{l=\"2\"} 1", /line 3: a: a family's lines must form one group/],
    ["duplicate series", 'a{l="1"} 1\na{l="1"} 2', /same series appears twice/],
    ["bucket without le", "# TYPE h histogram\nh_bucket 1", /bucket needs an "le"/],
    ["stray histogram sample", "# TYPE h histogram\nh 1", /only _bucket, _sum and _count/],
    ["summary quantile without label", "# TYPE s summary\ns 1", /needs a "quantile"/],
    ["HELP escape", "# HELP x bad \\t escape", /invalid escape/],
  ];
  it.each(malformed)("refuses %s", (_, text, message) => {
    expect(() => parseExposition(text)).toThrow(ExpositionError);
    expect(() => parseExposition(text)).toThrow(message);
  });
});

describe("exactCount", () => {
  // How exporters write whole counts, and the exact integer each means.
  const whole: [string, bigint][] = [
    ["0", 0n],
    ["0.0", 0n],
    ["1027", 1027n],
    ["1027.0", 1027n],
    ["+5", 5n],
    ["1.884629e+06", 1884629n], // Python's prometheus_client past 6 integer digits
    ["1.2345678e+07", 12345678n],
    ["1e+16", 10000000000000000n],
    ["9007199254740993", 9007199254740993n], // past 2^53: no float rounding
    ["1.5E3", 1500n],
    ["12.50e1", 125n],
    [".5e1", 5n],
    ["0001", 1n],
  ];
  it.each(whole)("reads %s as %s", (text, expected) => {
    expect(exactCount(sample(text))).toBe(expected);
  });

  const refused: [string, RegExp][] = [
    ["1.5", /expected a whole count, got "1.5"/],
    ["1.884629e+05", /whole count/],
    ["-1", /whole count ≥ 0/],
    ["NaN", /whole count ≥ 0/],
    ["+Inf", /whole count ≥ 0/],
    ["1e-1", /whole count/],
    ["1e+60", /out of range/],
  ];
  it.each(refused)("refuses %s", (text, message) => {
    expect(() => exactCount(sample(text))).toThrow(message);
  });

  it("names the series and line in the error", () => {
    const [family] = parseExposition('\nvllm:prompt_tokens_total{engine="0"} 12.5').values();
    expect(() => exactCount(family!.samples[0]!)).toThrow('line 2: vllm:prompt_tokens_total{engine="0"} (line 2): expected a whole count, got "12.5"');
  });
});

describe("histogramSeries", () => {
  const histogram = (lines: string[]) => parseExposition(["# TYPE h histogram", ...lines].join("\n")).get("h")!;

  it("groups buckets by label set, sorts them by their numeric bound and reads bounds from the data", () => {
    const series = histogramSeries(
      histogram([
        'h_bucket{e="0",le="+Inf"} 4',
        'h_bucket{e="0",le="10.0"} 3',
        'h_bucket{e="0",le="2.5"} 1',
        'h_count{e="0"} 4',
        'h_sum{e="0"} 17.5',
        'h_bucket{e="1",le="1e-3"} 0',
        'h_bucket{e="1",le="+Inf"} 0',
        'h_count{e="1"} 0',
      ]),
    );
    expect(series.map((s) => ({ labels: s.labels, le: s.buckets.map((b) => b.le), counts: s.buckets.map((b) => b.count), count: s.count, sum: s.sum }))).toEqual([
      { labels: { e: "0" }, le: ["2.5", "10.0", "+Inf"], counts: [1n, 3n, 4n], count: 4n, sum: 17.5 },
      { labels: { e: "1" }, le: ["1e-3", "+Inf"], counts: [0n, 0n], count: 0n, sum: null },
    ]);
  });

  const broken: [string, string[], RegExp][] = [
    ["no +Inf bucket", ['h_bucket{le="1"} 1', "h_count 1"], /no le="\+Inf" bucket/],
    ["no _count", ['h_bucket{le="+Inf"} 1'], /no _count/],
    ["_count ≠ +Inf", ['h_bucket{le="+Inf"} 2', "h_count 1"], /_count \(1\) differs from the \+Inf bucket \(2\)/],
    ["decreasing buckets", ['h_bucket{le="1"} 3', 'h_bucket{le="2"} 2', 'h_bucket{le="+Inf"} 3', "h_count 3"], /le="2" counts fewer/],
    ["bound twice", ['h_bucket{le="1"} 1', 'h_bucket{le="1.0"} 1', 'h_bucket{le="+Inf"} 1', "h_count 1"], /given twice/],
    ["bad bound", ['h_bucket{le="fast"} 1', 'h_bucket{le="+Inf"} 1', "h_count 1"], /invalid bucket bound/],
    ["fractional count", ['h_bucket{le="+Inf"} 1.5', "h_count 1.5"], /whole count/],
  ];
  it.each(broken)("refuses a histogram with %s", (_, lines, message) => {
    expect(() => histogramSeries(histogram(lines))).toThrow(message);
  });
});
