import type { ReactNode } from "react";

/**
 * The small Markdown the API's own descriptions use (lib/api/v1): `##`
 * headings, paragraphs, `-` lists, `|` tables, fenced code, and inline
 * `code`, **bold** and [links](/path). The text is ours, not a visitor's, and is rendered as
 * React elements — never as HTML — so nothing in it can inject markup.
 */
export function Markdown({ text, headingLevel = 3 }: { text: string; headingLevel?: 2 | 3 | 4 }) {
  return <div className="space-y-2 text-sm leading-relaxed text-slate-700">{blocks(text).map((block, i) => renderBlock(block, i, headingLevel))}</div>;
}

type Block =
  | { kind: "heading"; text: string }
  | { kind: "paragraph"; text: string }
  | { kind: "list"; items: string[] }
  | { kind: "table"; header: string[]; rows: string[][] }
  | { kind: "code"; text: string };

/** "| a | b |" → ["a", "b"] (a `\|` stays in its cell). */
const cells = (line: string) =>
  line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replaceAll("\\|", "|"));

function blocks(text: string): Block[] {
  const out: Block[] = [];
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let paragraph: string[] = [];
  let list: string[] | null = null;
  const flush = () => {
    if (paragraph.length > 0) out.push({ kind: "paragraph", text: paragraph.join(" ") });
    if (list) out.push({ kind: "list", items: list });
    paragraph = [];
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("```")) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !lines[i]!.startsWith("```"); i++) code.push(lines[i]!);
      out.push({ kind: "code", text: code.join("\n") });
    } else if (line.trimStart().startsWith("|") && /^\s*\|?\s*:?-{3,}/.test(lines[i + 1] ?? "")) {
      flush();
      const header = cells(line);
      const rows: string[][] = [];
      for (i += 2; i < lines.length && lines[i]!.trimStart().startsWith("|"); i++) rows.push(cells(lines[i]!));
      i--;
      out.push({ kind: "table", header, rows });
    } else if (/^#{1,6} /.test(line)) {
      flush();
      out.push({ kind: "heading", text: line.replace(/^#+ /, "") });
    } else if (/^\s*[-*] /.test(line)) {
      if (paragraph.length > 0) flush();
      (list ??= []).push(line.replace(/^\s*[-*] /, ""));
    } else if (line.trim() === "") {
      flush();
    } else if (list) {
      // A continuation line of the last item.
      list[list.length - 1] += ` ${line.trim()}`;
    } else {
      paragraph.push(line.trim());
    }
  }
  flush();
  return out;
}

function renderBlock(block: Block, key: number, headingLevel: 2 | 3 | 4): ReactNode {
  switch (block.kind) {
    case "heading": {
      const Heading = `h${headingLevel}` as const;
      return (
        <Heading key={key} className="pt-2 text-sm font-semibold text-slate-900">
          {inline(block.text)}
        </Heading>
      );
    }
    case "paragraph":
      return <p key={key}>{inline(block.text)}</p>;
    case "list":
      return (
        <ul key={key} className="list-disc space-y-1 pl-5">
          {block.items.map((item, i) => (
            <li key={i}>{inline(item)}</li>
          ))}
        </ul>
      );
    case "table":
      return (
        <div key={key} role="region" aria-label={`Table: ${block.header.join(", ")}`} tabIndex={0} className="relative max-w-full overflow-x-auto rounded-md border border-slate-200">
          <table className="w-full border-collapse text-left text-sm">
            <thead>
              <tr className="border-b border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
                {block.header.map((cell, i) => (
                  <th key={i} scope="col" className="px-2 py-1.5">
                    {inline(cell)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {block.rows.map((row, r) => (
                <tr key={r} className="border-b border-slate-100 last:border-0">
                  {row.map((cell, c) => (
                    <td key={c} className="px-2 py-1.5 align-top">
                      {inline(cell)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    case "code":
      return (
        <div key={key} role="region" aria-label="Code example" tabIndex={0} className="max-w-full overflow-x-auto rounded-md bg-slate-900">
          <pre className="px-3 py-2 font-mono text-xs text-slate-100">
            <code>{block.text}</code>
          </pre>
        </div>
      );
  }
}

/** One line of Markdown (a field's description): code, bold and links only. */
export function InlineMarkdown({ text }: { text: string }) {
  return <>{inline(text)}</>;
}

const INLINE = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(((?:\/|#|https:\/\/)[^)\s]*)\)/g;

function inline(text: string): ReactNode[] {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    const [, code, bold, label, href] = match;
    const key = match.index;
    if (code !== undefined) {
      parts.push(
        <code key={key} className="rounded bg-slate-100 px-1 py-px font-mono text-[0.8125rem] text-slate-800 wrap-anywhere">
          {code}
        </code>,
      );
    } else if (bold !== undefined) {
      parts.push(
        <strong key={key} className="font-semibold text-slate-900">
          {bold}
        </strong>,
      );
    } else {
      parts.push(
        <a key={key} href={href} className="font-medium text-blue-700 hover:underline">
          {label}
        </a>,
      );
    }
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}
