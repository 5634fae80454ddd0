//! Converts the HTML in AWS model `documentation` strings into rustdoc Markdown lines.
//! Anything Markdown or rustdoc could misread (stray HTML, bare URLs, indented text, list
//! or heading markers) is escaped or fenced so generated crates pass `cargo doc -D warnings`.

use std::fmt::Write as _;

/// Deepest element nesting that is kept; deeper start tags are dropped (their text is kept).
const MAX_DEPTH: usize = 64;

/// Longest tag accepted; a longer "tag" is read as text, keeping stray `<` linear.
const MAX_TAG_LEN: usize = 2048;

/// Elements that are blocks of their own; inside inline markup they become spaces.
#[rustfmt::skip]
const BLOCK_ELEMENTS: &[&str] = &[
    "p", "div", "fullname", "section", "article", "blockquote", "center", "dl", "dt", "dd",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "note", "important", "table",
    "thead", "tbody", "tfoot", "caption", "tr", "td", "th", "hr",
];

/// Containers rendered as their own paragraph(s).
#[rustfmt::skip]
const PARAGRAPH_CONTAINERS: &[&str] = &[
    "p", "div", "fullname", "section", "article", "blockquote", "center", "dl", "dd", "tr",
    "td", "th", "caption",
];

/// Elements that hold no content.
#[rustfmt::skip]
const VOID_ELEMENTS: &[&str] = &[
    "br", "hr", "img", "wbr", "input", "meta", "link", "area", "col", "source", "base",
];

/// Open elements that stop an implied `</p>` from reaching further up.
#[rustfmt::skip]
const PARAGRAPH_SCOPE: &[&str] = &[
    "li", "dd", "dt", "td", "th", "div", "ul", "ol", "table", "note", "important", "blockquote",
];

/// Converts model documentation (HTML) into rustdoc Markdown lines.
/// Returns one String per output line (no trailing newline, no leading "///").
#[must_use]
pub fn html_to_rustdoc(html: &str) -> Vec<String> {
    let root = build_tree(tokenize(html));
    let mut builder = BlockBuilder::default();
    walk_blocks(&root.children, &mut builder);
    tidy_lines(render_blocks(&builder.finish()))
}

// ---------------------------------------------------------------- tokenizer

enum Token {
    Text(String),
    Start {
        name: String,
        href: Option<String>,
        self_closing: bool,
    },
    End(String),
}

/// Splits HTML into text and tag tokens; a `<` that does not start a well-formed tag is text.
fn tokenize(html: &str) -> Vec<Token> {
    let chars: Vec<char> = html.replace("\r\n", "\n").chars().collect();
    let mut tokens = Vec::new();
    let mut text = String::new();
    let mut pos = 0;
    while let Some(&c) = chars.get(pos) {
        if c == '<' {
            if let Some((markup, next)) = parse_markup(&chars, pos) {
                flush_text(&mut text, &mut tokens);
                tokens.extend(markup);
                pos = next;
                continue;
            }
        }
        text.push(c);
        pos += 1;
    }
    flush_text(&mut text, &mut tokens);
    tokens
}

fn flush_text(text: &mut String, tokens: &mut Vec<Token>) {
    if !text.is_empty() {
        tokens.push(Token::Text(decode_entities(text)));
        text.clear();
    }
}

/// Parses the markup starting at `chars[pos] == '<'`: the token (none for comments and
/// declarations) and the position after it, or `None` when it is not markup.
fn parse_markup(chars: &[char], pos: usize) -> Option<(Option<Token>, usize)> {
    if starts_with(chars, pos, "<!--") {
        let end = find_seq(chars, pos + 4, "-->").map_or(chars.len(), |i| i + 3);
        return Some((None, end));
    }
    let window = &chars[..chars.len().min(pos + MAX_TAG_LEN)];
    match *window.get(pos + 1)? {
        '!' | '?' => find_char(window, pos, '>').map(|gt| (None, gt + 1)),
        '/' => parse_end_tag(window, pos + 2),
        c if c.is_ascii_alphabetic() => parse_start_tag(window, pos + 1),
        _ => None,
    }
}

fn parse_end_tag(chars: &[char], start: usize) -> Option<(Option<Token>, usize)> {
    if !chars.get(start)?.is_ascii_alphabetic() {
        return None;
    }
    let (name, end) = read_tag_name(chars, start);
    let gt = find_char(chars, end, '>')?;
    Some((Some(Token::End(name)), gt + 1))
}

fn parse_start_tag(chars: &[char], start: usize) -> Option<(Option<Token>, usize)> {
    let (name, mut i) = read_tag_name(chars, start);
    let mut href = None;
    loop {
        i = skip_whitespace(chars, i);
        let self_closing = match *chars.get(i)? {
            '>' => false,
            '/' if chars.get(i + 1) == Some(&'>') => true,
            '/' | '=' | '"' | '\'' => {
                i += 1;
                continue;
            }
            _ => {
                let (attr, value, next) = parse_attribute(chars, i)?;
                if attr == "href" {
                    href = Some(decode_entities(&value));
                }
                i = next;
                continue;
            }
        };
        let end = if self_closing { i + 2 } else { i + 1 };
        let token = Token::Start {
            name,
            href,
            self_closing,
        };
        return Some((Some(token), end));
    }
}

/// Parses `name`, `name=value`, `name="value"` or `name='value'` at `start`.
fn parse_attribute(chars: &[char], start: usize) -> Option<(String, String, usize)> {
    let name_end = scan(chars, start, |c| {
        !c.is_whitespace() && !matches!(c, '=' | '>' | '/' | '"' | '\'')
    });
    let name: String = chars[start..name_end].iter().collect();
    let eq = skip_whitespace(chars, name_end);
    if chars.get(eq) != Some(&'=') {
        return Some((name.to_ascii_lowercase(), String::new(), name_end));
    }
    let value_start = skip_whitespace(chars, eq + 1);
    let (value, next) = match chars.get(value_start) {
        Some(&quote @ ('"' | '\'')) => {
            let close = find_char(chars, value_start + 1, quote)?;
            (&chars[value_start + 1..close], close + 1)
        }
        _ => {
            let end = scan(chars, value_start, |c| !c.is_whitespace() && c != '>');
            (&chars[value_start..end], end)
        }
    };
    Some((name.to_ascii_lowercase(), value.iter().collect(), next))
}

fn read_tag_name(chars: &[char], start: usize) -> (String, usize) {
    let end = scan(chars, start, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')
    });
    let name: String = chars[start..end].iter().collect();
    (name.to_ascii_lowercase(), end)
}

/// First index at or after `start` whose char does not satisfy `keep`.
fn scan(chars: &[char], start: usize, keep: impl Fn(char) -> bool) -> usize {
    let mut i = start;
    while chars.get(i).is_some_and(|&c| keep(c)) {
        i += 1;
    }
    i
}

fn skip_whitespace(chars: &[char], start: usize) -> usize {
    scan(chars, start, char::is_whitespace)
}

fn find_char(chars: &[char], start: usize, wanted: char) -> Option<usize> {
    chars
        .get(start..)?
        .iter()
        .position(|&c| c == wanted)
        .map(|i| start + i)
}

fn starts_with(chars: &[char], pos: usize, prefix: &str) -> bool {
    let mut rest = chars.get(pos..).unwrap_or_default().iter();
    prefix
        .chars()
        .all(|expected| rest.next() == Some(&expected))
}

fn find_seq(chars: &[char], start: usize, seq: &str) -> Option<usize> {
    (start..chars.len()).find(|&i| starts_with(chars, i, seq))
}

// ---------------------------------------------------------------- entities

/// Decodes character references and drops characters that must not reach a doc comment.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        push_clean(&mut out, &rest[..amp]);
        let after = &rest[amp + 1..];
        match entity_at(after) {
            Some((decoded, len)) => {
                push_clean(&mut out, decoded.encode_utf8(&mut [0; 4]));
                rest = &after[len..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    push_clean(&mut out, rest);
    out
}

/// The character of the reference at the start of `text` (just after `&`) and its length.
fn entity_at(text: &str) -> Option<(char, usize)> {
    let (end, terminator) = text
        .char_indices()
        .take(33)
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '#'))?;
    if terminator != ';' || end == 0 {
        return None;
    }
    Some((entity_char(&text[..end])?, end + 1))
}

fn entity_char(name: &str) -> Option<char> {
    let named = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ndash" => '\u{2013}',
        "mdash" => '\u{2014}',
        "lsquo" => '\u{2018}',
        "rsquo" => '\u{2019}',
        "ldquo" => '\u{201c}',
        "rdquo" => '\u{201d}',
        "hellip" => '\u{2026}',
        "bull" => '\u{2022}',
        "copy" => '\u{a9}',
        "reg" => '\u{ae}',
        "trade" => '\u{2122}',
        _ => return numeric_entity_char(name),
    };
    Some(named)
}

fn numeric_entity_char(name: &str) -> Option<char> {
    let number = name.strip_prefix('#')?;
    let code = match number.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => number.parse::<u32>().ok()?,
    };
    char::from_u32(code).filter(|&c| c != '\0')
}

/// Lines of plain text (a model name quoted in a generated doc line) made fit
/// for a doc comment: line separators split it, control characters go.
pub fn clean_lines(text: &str) -> Vec<String> {
    let mut clean = String::with_capacity(text.len());
    push_clean(&mut clean, text);
    clean.split('\n').map(str::to_owned).collect()
}

fn push_clean(out: &mut String, text: &str) {
    out.extend(text.chars().filter_map(clean_char));
}

/// Maps line separators to `\n` and drops control and bidi characters (rustc rejects
/// bare CR in doc comments and denies text-direction code points in comments).
fn clean_char(c: char) -> Option<char> {
    match c {
        '\r' | '\u{85}' | '\u{2028}' | '\u{2029}' => Some('\n'),
        '\n' | '\t' => Some(c),
        '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{feff}' => None,
        c if c.is_control() => None,
        c => Some(c),
    }
}

// ---------------------------------------------------------------- tree

#[derive(Default)]
struct Element {
    name: String,
    href: Option<String>,
    children: Vec<Node>,
}

enum Node {
    Text(String),
    Element(Element),
}

/// Builds a forgiving element tree: unmatched end tags are ignored, unclosed elements are
/// closed at the end, and `li`/`p`/`dt`/`dd`/`tr`/`td` close their open siblings.
fn build_tree(tokens: Vec<Token>) -> Element {
    let mut stack = vec![Element::default()];
    for token in tokens {
        match token {
            Token::Text(text) => append_text(&mut stack, text),
            Token::Start {
                name,
                href,
                self_closing,
            } => open_element(&mut stack, name, href, self_closing),
            Token::End(name) => close_element(&mut stack, &name),
        }
    }
    close_to(&mut stack, 1);
    stack.pop().unwrap_or_default()
}

fn append_text(stack: &mut [Element], text: String) {
    let Some(top) = stack.last_mut() else { return };
    match top.children.last_mut() {
        Some(Node::Text(previous)) => previous.push_str(&text),
        _ => top.children.push(Node::Text(text)),
    }
}

fn open_element(stack: &mut Vec<Element>, name: String, href: Option<String>, self_closing: bool) {
    close_implied(stack, &name);
    let leaf = self_closing || VOID_ELEMENTS.contains(&name.as_str());
    let element = Element {
        name,
        href,
        children: Vec::new(),
    };
    if leaf {
        attach(stack, element);
    } else if stack.len() <= MAX_DEPTH {
        stack.push(element);
    }
}

fn close_element(stack: &mut Vec<Element>, name: &str) {
    if name == "br" {
        // Browsers treat a stray `</br>` as `<br>`.
        attach(
            stack,
            Element {
                name: "br".into(),
                ..Element::default()
            },
        );
    } else if let Some(index) = stack.iter().rposition(|open| open.name == name) {
        close_to(stack, index);
    }
}

/// Closes an open element that the new element `name` implicitly ends.
fn close_implied(stack: &mut Vec<Element>, name: &str) {
    let (targets, scope): (&[&str], &[&str]) = match name {
        "li" => (&["li"], &["ul", "ol"]),
        "dt" | "dd" => (&["dt", "dd"], &["dl"]),
        "tr" => (&["tr"], &["table"]),
        "td" | "th" => (&["td", "th"], &["tr", "table"]),
        "p" => (&["p"], PARAGRAPH_SCOPE),
        _ => return,
    };
    for index in (1..stack.len()).rev() {
        let open = stack[index].name.as_str();
        if targets.contains(&open) {
            close_to(stack, index);
            return;
        }
        if scope.contains(&open) {
            return;
        }
    }
}

/// Pops open elements (never the root) until `len` remain, attaching each to its parent.
fn close_to(stack: &mut Vec<Element>, len: usize) {
    while stack.len() > len.max(1) {
        if let Some(element) = stack.pop() {
            attach(stack, element);
        }
    }
}

fn attach(stack: &mut [Element], element: Element) {
    if let Some(parent) = stack.last_mut() {
        parent.children.push(Node::Element(element));
    }
}

// ---------------------------------------------------------------- blocks

enum Block {
    /// Lines of one paragraph, joined by hard line breaks.
    Paragraph(Vec<String>),
    Heading(usize, String),
    Code(Vec<String>),
    List {
        ordered: bool,
        items: Vec<Vec<Block>>,
    },
}

/// Collects blocks, buffering inline content until a block boundary.
#[derive(Default)]
struct BlockBuilder {
    blocks: Vec<Block>,
    inline: Vec<Piece>,
}

impl BlockBuilder {
    fn flush(&mut self) {
        let lines = assemble_lines(&self.inline);
        self.inline.clear();
        if !lines.is_empty() {
            self.blocks.push(Block::Paragraph(lines));
        }
    }

    fn push_blocks(&mut self, blocks: impl IntoIterator<Item = Block>) {
        self.flush();
        self.blocks.extend(blocks);
    }

    fn finish(mut self) -> Vec<Block> {
        self.flush();
        self.blocks
    }
}

fn walk_blocks(nodes: &[Node], out: &mut BlockBuilder) {
    for node in nodes {
        match node {
            Node::Text(text) => push_text(text, InlineCtx::default(), &mut out.inline),
            Node::Element(element) => walk_element(element, out),
        }
    }
}

fn walk_element(element: &Element, out: &mut BlockBuilder) {
    let name = element.name.as_str();
    match name {
        "ul" | "ol" => out.push_blocks(list_block(element, name == "ol")),
        "li" => out.push_blocks(stray_item_block(element)),
        "dt" => out.push_blocks(term_block(element)),
        "note" => out.push_blocks(callout_blocks(element, "Note")),
        "important" => out.push_blocks(callout_blocks(element, "Important")),
        "pre" => out.push_blocks(code_block(element)),
        "code" | "tt" if starts_code_block(element, out) => out.push_blocks(code_block(element)),
        "table" => out.push_blocks(table_block(element)),
        "hr" => out.flush(),
        "script" | "style" => {}
        "br" | "b" | "strong" | "i" | "em" | "code" | "tt" | "a" => {
            inline_element(element, InlineCtx::default(), &mut out.inline);
        }
        _ if heading_level(name).is_some() => out.push_blocks(heading_block(element)),
        _ if PARAGRAPH_CONTAINERS.contains(&name) => {
            out.flush();
            walk_blocks(&element.children, out);
            out.flush();
        }
        _ => walk_blocks(&element.children, out),
    }
}

fn child_blocks(nodes: &[Node]) -> Vec<Block> {
    let mut builder = BlockBuilder::default();
    walk_blocks(nodes, &mut builder);
    builder.finish()
}

/// A list; stray non-`li` content joins the previous item (or starts one).
fn list_block(element: &Element, ordered: bool) -> Option<Block> {
    let mut items: Vec<BlockBuilder> = Vec::new();
    for node in &element.children {
        match node {
            Node::Element(item) if item.name == "li" => {
                let mut builder = BlockBuilder::default();
                walk_blocks(&item.children, &mut builder);
                items.push(builder);
            }
            Node::Text(text) if text.trim().is_empty() => {}
            _ => {
                if items.is_empty() {
                    items.push(BlockBuilder::default());
                }
                if let Some(last) = items.last_mut() {
                    walk_blocks(std::slice::from_ref(node), last);
                }
            }
        }
    }
    let items: Vec<Vec<Block>> = items
        .into_iter()
        .map(BlockBuilder::finish)
        .filter(|blocks| !blocks.is_empty())
        .collect();
    (!items.is_empty()).then_some(Block::List { ordered, items })
}

fn stray_item_block(element: &Element) -> Option<Block> {
    let blocks = child_blocks(&element.children);
    (!blocks.is_empty()).then(|| Block::List {
        ordered: false,
        items: vec![blocks],
    })
}

fn term_block(element: &Element) -> Option<Block> {
    let mut pieces = Vec::new();
    emphasis(&element.children, true, InlineCtx::default(), &mut pieces);
    let lines = assemble_lines(&pieces);
    (!lines.is_empty()).then_some(Block::Paragraph(lines))
}

/// `<note>` / `<important>`: the content with a bold label in front.
fn callout_blocks(element: &Element, label: &str) -> Vec<Block> {
    let mut blocks = child_blocks(&element.children);
    let prefix = format!("**{label}:**");
    match blocks.first_mut() {
        None => {}
        Some(Block::Paragraph(lines)) if !lines.is_empty() => {
            lines[0] = format!("{prefix} {}", lines[0]);
        }
        Some(_) => blocks.insert(0, Block::Paragraph(vec![prefix])),
    }
    blocks
}

fn heading_level(name: &str) -> Option<usize> {
    let digit = name.strip_prefix('h')?;
    let level: usize = digit.parse().ok()?;
    (digit.len() == 1 && (1..=6).contains(&level)).then_some(level)
}

fn heading_block(element: &Element) -> Option<Block> {
    let level = heading_level(&element.name)?;
    let text = flat_inline(&element.children);
    (!text.is_empty()).then(|| Block::Heading(level, escape_closing_hashes(text)))
}

/// A trailing ` ###` would be read as the heading's closing sequence.
fn escape_closing_hashes(text: String) -> String {
    let kept = text.trim_end_matches('#');
    if kept.len() == text.len() || !kept.ends_with(' ') {
        return text;
    }
    format!("{kept}\\{}", &text[kept.len()..])
}

/// A multi-line `<code>` that starts its paragraph is a code block; one inside a
/// sentence stays an inline code span.
fn starts_code_block(element: &Element, out: &BlockBuilder) -> bool {
    !out.inline.iter().any(Piece::is_text) && text_content(element).trim().contains('\n')
}

fn code_block(element: &Element) -> Option<Block> {
    let lines = code_lines(&text_content(element));
    (!lines.is_empty()).then_some(Block::Code(lines))
}

/// Code text as lines: tabs expanded (clippy rejects tabs in doc comments), trailing
/// spaces and outer or repeated blank lines removed, common indentation stripped.
fn code_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for line in text.split('\n').map(expand_tabs) {
        let blank_run = line.is_empty() && lines.last().is_none_or(String::is_empty);
        if !blank_run {
            lines.push(line);
        }
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let indent = lines
        .iter()
        .filter(|line| !line.is_empty())
        .map(|line| line.len() - line.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|line| line.get(indent..).unwrap_or_default().to_string())
        .collect()
}

/// Replaces tabs with spaces up to the next multiple of four columns; trims the end.
fn expand_tabs(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut column = 0;
    for c in line.chars() {
        if c == '\t' {
            let width = 4 - column % 4;
            out.extend(std::iter::repeat_n(' ', width));
            column += width;
        } else {
            out.push(c);
            column += 1;
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// Table rows flattened into lines of one paragraph, cells separated by `|`.
fn table_block(element: &Element) -> Option<Block> {
    let mut rows = Vec::new();
    collect_rows(&element.children, &mut rows);
    (!rows.is_empty()).then_some(Block::Paragraph(rows))
}

fn collect_rows(nodes: &[Node], rows: &mut Vec<String>) {
    for node in nodes {
        let row = match node {
            Node::Element(row) if row.name == "tr" => row_text(&row.children),
            Node::Element(group) => {
                collect_rows(&group.children, rows);
                continue;
            }
            Node::Text(_) => flat_inline(std::slice::from_ref(node)),
        };
        if !row.is_empty() {
            rows.push(row);
        }
    }
}

fn row_text(cells: &[Node]) -> String {
    let cells: Vec<String> = cells
        .iter()
        .map(|cell| flat_inline(std::slice::from_ref(cell)))
        .filter(|cell| !cell.is_empty())
        .collect();
    cells.join(" \\| ")
}

// ---------------------------------------------------------------- inline

/// Rendered inline content: escaped Markdown fragments, code span contents (adjacent ones
/// are merged so their backtick fences never touch) and the whitespace between them.
#[derive(Clone, PartialEq)]
enum Piece {
    Space,
    Break,
    Text(String),
    Code(String),
}

impl Piece {
    fn is_text(&self) -> bool {
        matches!(self, Piece::Text(_) | Piece::Code(_))
    }

    fn is_code(&self) -> bool {
        matches!(self, Piece::Code(_))
    }
}

/// Markup already open around the content being rendered.
#[derive(Clone, Copy, Default)]
struct InlineCtx {
    bold: bool,
    italic: bool,
    link: bool,
}

fn inline_nodes(nodes: &[Node], ctx: InlineCtx, out: &mut Vec<Piece>) {
    for node in nodes {
        match node {
            Node::Text(text) => push_text(text, ctx, out),
            Node::Element(element) => inline_element(element, ctx, out),
        }
    }
}

fn inline_element(element: &Element, ctx: InlineCtx, out: &mut Vec<Piece>) {
    let children = &element.children;
    match element.name.as_str() {
        "br" => out.push(Piece::Break),
        "b" | "strong" => emphasis(children, true, ctx, out),
        "i" | "em" => emphasis(children, false, ctx, out),
        "code" | "tt" | "pre" => code_span(element, out),
        "a" => link(element, ctx, out),
        "script" | "style" => {}
        name if BLOCK_ELEMENTS.contains(&name) => {
            out.push(Piece::Space);
            inline_nodes(children, ctx, out);
            out.push(Piece::Space);
        }
        _ => inline_nodes(children, ctx, out),
    }
}

/// Inline content as one line (line breaks become spaces).
fn flat_inline(nodes: &[Node]) -> String {
    let mut pieces = Vec::new();
    inline_nodes(nodes, InlineCtx::default(), &mut pieces);
    assemble_lines(&pieces).join(" ")
}

/// `**bold**` or `*italic*`, skipped when already inside the same emphasis.
fn emphasis(children: &[Node], bold: bool, ctx: InlineCtx, out: &mut Vec<Piece>) {
    let already = if bold { ctx.bold } else { ctx.italic };
    let inner_ctx = InlineCtx {
        bold: ctx.bold || bold,
        italic: ctx.italic || !bold,
        ..ctx
    };
    let mut inner = Vec::new();
    inline_nodes(children, inner_ctx, &mut inner);
    if already {
        out.extend(inner);
    } else {
        let marker = if bold { "**" } else { "*" };
        wrap(inner, marker, marker, out);
    }
}

/// Puts `open`/`close` around the text of `inner`, keeping edge whitespace outside.
/// Adjacent identical emphasis (`**a****b**`) is merged into one (`**ab**`).
fn wrap(mut inner: Vec<Piece>, open: &str, close: &str, out: &mut Vec<Piece>) {
    let first = inner.iter().position(Piece::is_text);
    let last = inner.iter().rposition(Piece::is_text);
    let (Some(first), Some(last)) = (first, last) else {
        out.extend(inner);
        return;
    };
    let trailing = inner.split_off(last + 1);
    let core = inner.split_off(first);
    out.extend(inner);
    if open == close && out.last() == Some(&Piece::Text(open.to_string())) {
        out.pop();
    } else {
        out.push(Piece::Text(open.to_string()));
    }
    out.extend(core);
    out.push(Piece::Text(close.to_string()));
    out.extend(trailing);
}

fn link(element: &Element, ctx: InlineCtx, out: &mut Vec<Piece>) {
    let url = element.href.as_deref().and_then(web_url);
    let Some(url) = url.filter(|_| !ctx.link) else {
        inline_nodes(&element.children, ctx, out);
        return;
    };
    let mut inner = Vec::new();
    inline_nodes(
        &element.children,
        InlineCtx { link: true, ..ctx },
        &mut inner,
    );
    if inner.iter().any(Piece::is_text) {
        wrap(inner, "[", &format!("]({url})"), out);
    } else {
        out.extend(inner);
        out.push(Piece::Text(format!("<{url}>")));
    }
}

/// The link destination for an `http(s)` href, with characters Markdown would misread
/// percent-encoded; `None` for other (relative, `mailto:`, empty) hrefs.
fn web_url(href: &str) -> Option<String> {
    let href = href.trim();
    let lower = href.get(..8).unwrap_or(href).to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return None;
    }
    let mut url = String::with_capacity(href.len());
    for c in href.chars() {
        if matches!(c, '(' | ')' | '<' | '>' | '\\') || c.is_whitespace() || c.is_control() {
            for byte in c.encode_utf8(&mut [0; 4]).bytes() {
                // Writing to a String cannot fail.
                let _ = write!(url, "%{byte:02X}");
            }
        } else {
            url.push(c);
        }
    }
    Some(url)
}

fn code_span(element: &Element, out: &mut Vec<Piece>) {
    let raw = text_content(element);
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        if !raw.is_empty() {
            out.push(Piece::Space);
        }
        return;
    }
    out.push(Piece::Code(text));
}

/// `` `text` ``, with a fence longer than any backtick run inside.
fn code_span_markup(text: &str) -> String {
    let fence = "`".repeat(longest_run(text, '`') + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

fn longest_run(text: &str, wanted: char) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for c in text.chars() {
        current = if c == wanted { current + 1 } else { 0 };
        longest = longest.max(current);
    }
    longest
}

fn text_content(element: &Element) -> String {
    let mut text = String::new();
    collect_text(&element.children, &mut text);
    text
}

fn collect_text(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Element(element) if element.name == "br" => out.push('\n'),
            Node::Element(element) => collect_text(&element.children, out),
        }
    }
}

/// Splits text into escaped words and collapsible spaces.
fn push_text(text: &str, ctx: InlineCtx, out: &mut Vec<Piece>) {
    let mut word = String::new();
    for c in text.chars() {
        if c.is_whitespace() {
            push_word(&mut word, ctx, out);
            if out.last() != Some(&Piece::Space) {
                out.push(Piece::Space);
            }
        } else {
            word.push(c);
        }
    }
    push_word(&mut word, ctx, out);
}

fn push_word(word: &mut String, ctx: InlineCtx, out: &mut Vec<Piece>) {
    if word.is_empty() {
        return;
    }
    let mut escaped = String::with_capacity(word.len() + 4);
    escape_word(word, ctx, &mut escaped);
    out.push(Piece::Text(escaped));
    word.clear();
}

/// Escapes a word, turning `http(s)://` URLs into autolinks (except inside link text,
/// where an autolink would break the enclosing link).
fn escape_word(word: &str, ctx: InlineCtx, out: &mut String) {
    let mut rest = word;
    if !ctx.link {
        while let Some(start) = find_url_start(rest) {
            let end = start + url_len(&rest[start..]);
            escape_plain(&rest[..start], out);
            out.push('<');
            out.push_str(&rest[start..end]);
            out.push('>');
            rest = &rest[end..];
        }
    }
    escape_plain(rest, out);
}

fn find_url_start(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    lower.match_indices("http").map(|(i, _)| i).find(|&i| {
        let after = &lower[i + 4..];
        after.starts_with("://") || after.starts_with("s://")
    })
}

/// Byte length of the URL at the start of `text`, minus trailing sentence punctuation.
fn url_len(text: &str) -> usize {
    let end = text
        .find(|c: char| matches!(c, '<' | '>' | '"' | '`') || c.is_control())
        .unwrap_or(text.len());
    let mut url = &text[..end];
    while let Some(last) = url.chars().last() {
        let unbalanced = match last {
            ')' => url.matches('(').count() < url.matches(')').count(),
            ']' => url.matches('[').count() < url.matches(']').count(),
            _ => matches!(
                last,
                '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*' | '_' | '~'
            ),
        };
        if !unbalanced {
            break;
        }
        url = &url[..url.len() - last.len_utf8()];
    }
    url.len()
}

/// Backslash-escapes Markdown punctuation in plain text.
fn escape_plain(text: &str, out: &mut String) {
    for (i, c) in text.char_indices() {
        let special = matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~'
        ) || (c == '&' && looks_like_entity(&text[i + 1..]));
        if special {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Whether `&` followed by `text` would be read as a character reference by Markdown.
fn looks_like_entity(text: &str) -> bool {
    let name_len = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
        .unwrap_or(text.len());
    name_len > 0 && text[name_len..].starts_with(';')
}

/// Joins pieces into lines (one per `<br>`), collapsing spaces and dropping empty lines.
fn assemble_lines(pieces: &[Piece]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut code = String::new();
    let mut space = false;
    for piece in pieces {
        if !matches!(piece, Piece::Code(_)) {
            flush_code(&mut code, &mut line);
        }
        match piece {
            Piece::Space => space = !line.is_empty(),
            Piece::Break => {
                finish_line(&mut line, &mut lines);
                space = false;
            }
            Piece::Text(text) | Piece::Code(text) => {
                if space {
                    line.push(' ');
                    space = false;
                }
                let target = if piece.is_code() {
                    &mut code
                } else {
                    &mut line
                };
                target.push_str(text);
            }
        }
    }
    flush_code(&mut code, &mut line);
    finish_line(&mut line, &mut lines);
    lines
}

fn flush_code(code: &mut String, line: &mut String) {
    if !code.is_empty() {
        line.push_str(&code_span_markup(code));
        code.clear();
    }
}

fn finish_line(line: &mut String, lines: &mut Vec<String>) {
    let trimmed = line.trim();
    if !trimmed.is_empty() {
        lines.push(escape_line_start(trimmed));
    }
    line.clear();
}

/// Escapes a line start that Markdown would read as a heading, list item, setext
/// underline or thematic break.
fn escape_line_start(line: &str) -> String {
    match line.chars().next() {
        Some('#' | '-' | '+' | '=') => format!("\\{line}"),
        Some(c) if c.is_ascii_digit() => escape_ordered_marker(line),
        _ => line.to_string(),
    }
}

fn escape_ordered_marker(line: &str) -> String {
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = &line[digits..];
    let is_marker = (rest.starts_with('.') || rest.starts_with(')'))
        && rest[1..].chars().next().is_none_or(char::is_whitespace);
    if is_marker {
        format!("{}\\{rest}", &line[..digits])
    } else {
        line.to_string()
    }
}

// ---------------------------------------------------------------- output

fn render_blocks(blocks: &[Block]) -> Vec<String> {
    let mut lines = Vec::new();
    for block in blocks {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(render_block(block));
    }
    lines
}

fn render_block(block: &Block) -> Vec<String> {
    match block {
        Block::Paragraph(lines) => with_hard_breaks(lines),
        Block::Heading(level, text) => vec![format!("{} {text}", "#".repeat(*level))],
        Block::Code(lines) => fenced(lines),
        Block::List { ordered, items } => render_list(*ordered, items),
    }
}

/// Paragraph lines joined by Markdown hard breaks (a trailing backslash).
fn with_hard_breaks(lines: &[String]) -> Vec<String> {
    let last = lines.len().saturating_sub(1);
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            if i < last {
                format!("{line}\\")
            } else {
                line.clone()
            }
        })
        .collect()
}

/// A ```` ```text ```` block, so rustdoc never compiles it as a doctest.
fn fenced(lines: &[String]) -> Vec<String> {
    let longest = lines
        .iter()
        .map(|line| longest_run(line, '`'))
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let mut out = vec![format!("{fence}text")];
    out.extend(lines.iter().cloned());
    out.push(fence);
    out
}

/// List items; continuation lines are indented by exactly the marker width.
fn render_list(ordered: bool, items: &[Vec<Block>]) -> Vec<String> {
    let mut out = Vec::new();
    for (number, item) in (1..).zip(items) {
        let marker = if ordered {
            format!("{number}. ")
        } else {
            "- ".to_string()
        };
        let indent = " ".repeat(marker.len());
        for (i, line) in render_blocks(item).into_iter().enumerate() {
            out.push(match i {
                0 => format!("{marker}{line}"),
                _ if line.is_empty() => line,
                _ => format!("{indent}{line}"),
            });
        }
    }
    out
}

/// Final clean-up: no trailing whitespace, no leading, trailing or doubled empty lines.
fn tidy_lines(lines: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    for line in lines {
        let line = line.trim_end();
        if line.is_empty() && out.last().is_none_or(String::is_empty) {
            continue;
        }
        out.push(line.to_string());
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::html_to_rustdoc;

    fn lines(html: &str) -> Vec<String> {
        html_to_rustdoc(html)
    }

    fn text(html: &str) -> String {
        html_to_rustdoc(html).join("\n")
    }

    /// Structural guarantees every output must satisfy.
    fn assert_well_formed(html: &str) {
        let out = html_to_rustdoc(html);
        assert_eq!(out, html_to_rustdoc(html), "not deterministic for {html:?}");
        let first_and_last = [out.first(), out.last()];
        assert!(
            first_and_last.iter().flatten().all(|l| !l.is_empty()),
            "leading or trailing empty line: {html:?}"
        );
        for (i, line) in out.iter().enumerate() {
            assert_eq!(line.trim_end(), line, "trailing whitespace in {html:?}");
            assert!(!line.contains(['\n', '\r']), "embedded newline in {html:?}");
            assert!(
                !line.contains('\t'),
                "tab (clippy::tabs_in_doc_comments) in {html:?}"
            );
            let double_empty = i > 0 && line.is_empty() && out[i - 1].is_empty();
            assert!(!double_empty, "double empty line: {html:?}");
        }
        assert_indentation_only_in_lists_and_fences(&out, html);
    }

    /// An indented line would be an indented code block unless it continues a list item
    /// (or sits inside a top-level fenced block).
    fn assert_indentation_only_in_lists_and_fences(out: &[String], html: &str) {
        let mut fence: Option<&str> = None;
        let mut in_list = false;
        for line in out {
            if let Some(open) = fence {
                if line == open {
                    fence = None;
                }
                continue;
            }
            if line.starts_with(' ') {
                assert!(
                    in_list,
                    "indented line outside a list: {line:?} from {html:?}"
                );
            } else if !line.is_empty() {
                in_list = is_list_marker(line);
                if line.starts_with("```") {
                    fence = Some(line.trim_end_matches("text"));
                }
            }
        }
    }

    fn is_list_marker(line: &str) -> bool {
        let after_digits = line.trim_start_matches(|c: char| c.is_ascii_digit());
        line.starts_with("- ")
            || (after_digits.len() < line.len() && after_digits.starts_with(". "))
    }

    #[test]
    fn realistic_aws_documentation() {
        let html = "<p>Specifies the amount of time this device has to finish execution of this job. If the job execution status is not set to a terminal state before this timer expires, or before the timer is reset (by calling <code>UpdateJobExecution</code>, setting the status to <code>IN_PROGRESS</code> and specifying a new timeout value in field <code>stepTimeoutInMinutes</code>) the job execution status will be automatically set to <code>TIMED_OUT</code>.</p>";
        let expected = "Specifies the amount of time this device has to finish execution of this job. If the job execution status is not set to a terminal state before this timer expires, or before the timer is reset (by calling `UpdateJobExecution`, setting the status to `IN_PROGRESS` and specifying a new timeout value in field `stepTimeoutInMinutes`) the job execution status will be automatically set to `TIMED_OUT`.";
        assert_eq!(lines(html), vec![expected.to_string()]);
    }

    #[test]
    fn empty_and_blank_input() {
        assert!(lines("").is_empty());
        assert!(lines("  \n\t ").is_empty());
        assert!(lines("<p> </p><div></div>").is_empty());
    }

    #[test]
    fn plain_text_is_one_paragraph_with_collapsed_whitespace() {
        assert_eq!(
            lines("Some  plain\n\ttext.\n\nMore."),
            ["Some plain text. More."]
        );
    }

    #[test]
    fn paragraphs_and_divs_are_separated_by_one_empty_line() {
        assert_eq!(
            lines("<p>One</p>\n<p>Two</p><div>Three</div>Four"),
            ["One", "", "Two", "", "Three", "", "Four"]
        );
    }

    #[test]
    fn line_breaks_become_hard_breaks_in_the_same_paragraph() {
        assert_eq!(lines("<p>a<br>b<br/>c</br></p>"), ["a\\", "b\\", "c"]);
        assert_eq!(lines("<p><br>a<br><br>b<br></p>"), ["a\\", "b"]);
    }

    #[test]
    fn headings() {
        assert_eq!(
            lines("<h1>Title</h1><h3>Sub <i>x</i></h3>"),
            ["# Title", "", "### Sub *x*"]
        );
        assert_eq!(lines("<h2>C# and F #</h2>"), ["## C# and F \\#"]);
        assert!(lines("<h2> </h2>").is_empty());
    }

    #[test]
    fn unordered_list_with_paragraph_items() {
        let html = "<p>Values:</p> <ul> <li> <p> <code>A</code> - first</p> </li> <li><p>second</p></li> </ul><p>After</p>";
        assert_eq!(
            lines(html),
            ["Values:", "", "- `A` - first", "- second", "", "After"]
        );
    }

    #[test]
    fn ordered_list_indents_continuations_by_marker_width() {
        let items: String = (1..=10).map(|i| format!("<li>item {i}</li>")).collect();
        let out = lines(&format!(
            "<ol>{items}</ol><ol><li>x<br>y</li><li>10<br>z</li></ol>"
        ));
        assert_eq!(out[0], "1. item 1");
        assert_eq!(out[9], "10. item 10");
        assert_eq!(&out[11..], ["1. x\\", "   y", "2. 10\\", "   z"]);
    }

    #[test]
    fn nested_lists() {
        let html = "<ul><li>top<ul><li>inner <b>bold</b></li><li>two<ol><li>deep</li></ol></li></ul></li><li>next</li></ul>";
        let expected = [
            "- top",
            "",
            "  - inner **bold**",
            "  - two",
            "",
            "    1. deep",
            "- next",
        ];
        assert_eq!(lines(html), expected);
    }

    #[test]
    fn list_item_with_several_paragraphs_keeps_them_in_the_item() {
        assert_eq!(
            lines("<ol><li><p>a</p><p>b</p></li></ol>"),
            ["1. a", "", "   b"]
        );
    }

    #[test]
    fn malformed_lists() {
        assert_eq!(lines("<ul><li>a<li>b</ul>"), ["- a", "- b"]);
        assert_eq!(lines("<li>stray</li>"), ["- stray"]);
        assert_eq!(
            lines("<ul><li>a</li><ul><li>b</li></ul></ul>"),
            ["- a", "", "  - b"]
        );
        assert!(lines("<ul><li></li> </ul>").is_empty());
    }

    #[test]
    fn note_and_important() {
        assert_eq!(
            lines("<note><p>Careful.</p><p>More.</p></note>"),
            ["**Note:** Careful.", "", "More."]
        );
        assert_eq!(
            lines("<important>Do it.</important>"),
            ["**Important:** Do it."]
        );
        assert_eq!(
            lines("<note><ul><li>x</li></ul></note>"),
            ["**Note:**", "", "- x"]
        );
        assert!(lines("<note> </note>").is_empty());
    }

    #[test]
    fn definition_lists() {
        assert_eq!(
            lines(
                "<dl><dt>Term <b>x</b></dt><dd><p>Meaning</p></dd><dt>Two</dt><dd>More</dd></dl>"
            ),
            ["**Term x**", "", "Meaning", "", "**Two**", "", "More"]
        );
    }

    #[test]
    fn pre_becomes_a_text_code_block() {
        let html = "<pre>\n    {\n      \"a\": 1 &lt; 2,\n\n\n      \"b\": [3]   \n    }\n</pre>";
        assert_eq!(
            lines(html),
            [
                "```text",
                "{",
                "  \"a\": 1 < 2,",
                "",
                "  \"b\": [3]",
                "}",
                "```"
            ]
        );
    }

    #[test]
    fn multi_line_code_becomes_a_code_block() {
        let html = "<p>Example:</p><p><code>aws s3 ls \\\n  --recursive</code></p>";
        assert_eq!(
            lines(html),
            [
                "Example:",
                "",
                "```text",
                "aws s3 ls \\",
                "  --recursive",
                "```"
            ]
        );
    }

    #[test]
    fn code_block_tabs_become_spaces() {
        assert_eq!(
            lines("<pre>\tif x {\n\t\ty();\t\n\t}</pre>"),
            ["```text", "if x {", "    y();", "}", "```"]
        );
        assert_eq!(lines("<pre>ab\tc</pre>"), ["```text", "ab  c", "```"]);
    }

    #[test]
    fn code_block_fence_outgrows_backticks_inside() {
        assert_eq!(
            lines("<pre>```\nx\n```</pre>"),
            ["````text", "```", "x", "```", "````"]
        );
    }

    #[test]
    fn code_block_inside_a_list_item_is_indented() {
        assert_eq!(
            lines("<ul><li>Run:<pre>a\n b</pre></li></ul>"),
            ["- Run:", "", "  ```text", "  a", "   b", "  ```"]
        );
    }

    #[test]
    fn tables_are_flattened_into_lines() {
        let html = "<table><thead><tr><th>Name</th><th>Value</th></tr></thead>\
                    <tbody><tr><td>-a</td><td>b|c</td></tr><tr><td></td><td>x<br>y</td></tr></tbody></table>";
        assert_eq!(lines(html), ["Name \\| Value\\", "\\-a \\| b\\|c\\", "x y"]);
    }

    #[test]
    fn fullname_is_a_paragraph() {
        assert_eq!(
            lines("<fullname>Amazon Simple Storage Service</fullname><p>Docs.</p>"),
            ["Amazon Simple Storage Service", "", "Docs."]
        );
    }

    #[test]
    fn inline_code() {
        assert_eq!(text("Set <code> a \n b </code>."), "Set `a b`.");
        assert_eq!(text("<code>a`b</code>"), "``a`b``");
        assert_eq!(text("<code>`x`</code>"), "`` `x` ``");
        assert_eq!(text("a<code></code>b <code> </code> c"), "ab c");
        assert_eq!(text("<tt>Tt</tt>"), "`Tt`");
        assert_eq!(text("<code>a</code><code>b</code>"), "`ab`");
        assert_eq!(text("<code>&lt;T&gt; *_</code>"), "`<T> *_`");
    }

    #[test]
    fn emphasis() {
        assert_eq!(
            text("<b>bold</b> <strong>strong</strong>"),
            "**bold** **strong**"
        );
        assert_eq!(text("<i>it</i> <em>em</em>"), "*it* *em*");
        assert_eq!(text("a<b> b </b>c"), "a **b** c");
        assert_eq!(text("a<b> </b>c<i></i>d"), "a cd");
        assert_eq!(text("<b><b>x</b></b>"), "**x**");
        assert_eq!(text("<b>a</b><b>b</b>"), "**ab**");
        assert_eq!(text("<b><i>x</i></b>"), "***x***");
    }

    #[test]
    fn links() {
        assert_eq!(
            text("See <a href=\"https://docs.aws.amazon.com/x\">the guide</a>."),
            "See [the guide](https://docs.aws.amazon.com/x)."
        );
        assert_eq!(
            text("<a href='HTTP://e.com/a (b)'> text </a>"),
            "[text](HTTP://e.com/a%20%28b%29)"
        );
        assert_eq!(
            text("<a href=\"#anchor\">local</a> <a>none</a>"),
            "local none"
        );
        assert_eq!(text("<a href=\"https://e.com\"></a>"), "<https://e.com>");
        assert_eq!(
            text("<a href=\"https://e.com?a=1&amp;b=2\">x https://y.com</a>"),
            "[x https://y.com](https://e.com?a=1&b=2)"
        );
    }

    #[test]
    fn unknown_tags_are_dropped_but_their_text_kept() {
        assert_eq!(
            text("<span class=\"x\">a <foo>b</foo></span> <!-- gone --> c"),
            "a b c"
        );
        assert_eq!(text("<script>bad()</script>ok"), "ok");
        assert_eq!(text("<!DOCTYPE html><?xml x?>doc"), "doc");
    }

    #[test]
    fn markdown_specials_are_escaped() {
        assert_eq!(
            text("a\\b `c` *d* _e_ [f] <x y=\"1\" a|b ~~s~~"),
            "a\\\\b \\`c\\` \\*d\\* \\_e\\_ \\[f\\] \\<x y=\"1\" a\\|b \\~\\~s\\~\\~"
        );
        assert_eq!(text("1 &lt; 2 &gt; 0"), "1 \\< 2 \\> 0");
        assert_eq!(text("x &lt;p&gt; y"), "x \\<p\\> y");
    }

    #[test]
    fn line_start_markers_are_escaped() {
        assert_eq!(lines("<p># not heading</p>"), ["\\# not heading"]);
        assert_eq!(lines("<p>- not a list</p>"), ["\\- not a list"]);
        assert_eq!(lines("<p>+ plus</p>"), ["\\+ plus"]);
        assert_eq!(lines("<p>===</p>"), ["\\==="]);
        assert_eq!(
            lines("<p>1. one</p><p>2) two</p>"),
            ["1\\. one", "", "2\\) two"]
        );
        assert_eq!(lines("<p>1.5 s and 2020</p>"), ["1.5 s and 2020"]);
        assert_eq!(lines("<p>a<br>- b</p>"), ["a\\", "\\- b"]);
        assert_eq!(lines("<p>a - b # c 1. d</p>"), ["a - b # c 1. d"]);
    }

    #[test]
    fn bare_urls_become_autolinks() {
        assert_eq!(
            text("See https://example.com/a_b*c. Or (http://x.org/y(z)), HTTPS://E.COM!"),
            "See <https://example.com/a_b*c>. Or (<http://x.org/y(z)>), <HTTPS://E.COM>!"
        );
        assert_eq!(
            text("url:https://a.com/<b>x</b>"),
            "url:<https://a.com/>**x**"
        );
        assert_eq!(text("https://"), "<https://>");
    }

    #[test]
    fn entities() {
        assert_eq!(
            text("&lt;a&gt; &amp; &quot;q&quot; &apos;s&apos; &#39;n&#x27; &#X41;&nbsp;b"),
            "\\<a\\> & \"q\" 's' 'n' A b"
        );
        assert_eq!(
            text("&foo; &amp;lt; &#0; &#xZZ; &#99999999999;"),
            "\\&foo; \\&lt; \\&#0; \\&#xZZ; \\&#99999999999;"
        );
        assert_eq!(text("AT&T & co; a&b"), "AT&T & co; a&b");
    }

    #[test]
    fn control_and_bidi_characters_are_dropped() {
        assert_eq!(text("a\u{7}b\u{202e}c\r\nd&#13;e\u{2028}f"), "abc d e f");
        assert_eq!(
            lines("<pre>a\r\nb\rc</pre>"),
            ["```text", "a", "b", "c", "```"]
        );
    }

    #[test]
    fn malformed_html_never_panics() {
        let inputs = [
            "<",
            ">",
            "<<",
            "</",
            "</>",
            "<p",
            "<p ",
            "<p class=\"x",
            "<p class='x>",
            "<a href=>x</a>",
            "<a href",
            "</p>",
            "</p></p>text",
            "<p><b>unclosed",
            "<b><i>x</b></i>",
            "&",
            "&;",
            "&#;",
            "&#x;",
            "&amp",
            "&#12345678901234567890;",
            "<!--",
            "<!-- x",
            "<!",
            "<?",
            "<!x",
            "<p/>",
            "<br/><br></br>",
            "<ul><li>",
            "<ol><li><ol><li>",
            "<table><tr><td>",
            "<dl><dd>",
            "<pre>",
            "<code>",
            "<code>`",
            "<a href=\"https://x\"><a href=\"https://y\">z</a></a>",
            "\u{0}\u{1f}",
            "é<p>ü</p>\u{1F600}",
            "<p =x \"y\" 'z' />a",
            "<P>Upper</P>",
            "a < b > c",
            "<3 <-- ->",
            "<ul>text<li>a</li>tail</ul>",
            "<h7>x</h7><h0>y</h0><h10>z</h10>",
            "<table>loose<tr>x</tr></table>",
            "<note>",
            "<important><p>",
            "<pre></pre>",
            "<pre>\n\n</pre>",
            "<li><li><li>",
            "<td>a<td>b",
        ];
        for input in inputs {
            assert_well_formed(input);
        }
    }

    #[test]
    fn deep_nesting_is_bounded() {
        for tag in ["b", "ul><li", "div", "note", "a href=\"https://x\"", "code"] {
            let html = format!("{}x", format!("<{tag}>").repeat(20_000));
            assert_well_formed(&html);
        }
    }

    #[test]
    fn overlong_or_unterminated_tags_are_text() {
        let long = format!("<a title=\"{}\">x</a>", "t".repeat(3000));
        assert!(text(&long).starts_with("\\<a title=\"ttt"));
        let soup = format!("{}<a b=\">", "<a b=\"x\" ".repeat(2000));
        assert_well_formed(&soup);
        assert_eq!(text("<a href=\"https://x\" "), "\\<a href=\"<https://x>\"");
    }

    #[test]
    fn output_is_deterministic() {
        let html = "<p>a <b>b</b></p><ul><li>c</li></ul><pre>d</pre><note>e</note>";
        let first = html_to_rustdoc(html);
        for _ in 0..10 {
            assert_eq!(html_to_rustdoc(html), first);
        }
    }

    #[test]
    fn fuzzed_inputs_never_panic() {
        const CHARS: &[char] = &[
            '<', '>', '/', '&', ';', 'p', 'a', ' ', '"', '=', '\n', 'b', 'l', 'i', 'u', 'o', 'c',
            'd', 'e', '#', 'x', '1', '`', '*', '-', '\'', '!', 'h', 't', ':', '\t',
        ];
        const TOKENS: &[&str] = &[
            "<p>",
            "</p>",
            "<ul>",
            "</ul>",
            "<ol>",
            "<li>",
            "</li>",
            "<b>",
            "</b>",
            "<i>",
            "<code>",
            "</code>",
            "<pre>",
            "</pre>",
            "<br/>",
            "<note>",
            "</note>",
            "<dl>",
            "<dt>",
            "<dd>",
            "<table>",
            "<tr>",
            "<td>",
            "<a href=\"https://e.com/(x)\">",
            "</a>",
            "<h2>",
            "</h2>",
            "&lt;",
            "&amp;",
            "&#39;",
            "&",
            "<",
            "\n  ",
            " ",
            "text",
            "- ",
            "1. ",
            "https://u.rl/x.",
            "`",
            "*",
            "#",
            "<fullname>",
            "<!--",
            "-->",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..3000 {
            let len = next() % 80;
            let mut html = String::new();
            for _ in 0..len {
                let roll = next();
                if round % 2 == 0 {
                    html.push(CHARS[(roll % CHARS.len() as u64) as usize]);
                } else {
                    html.push_str(TOKENS[(roll % TOKENS.len() as u64) as usize]);
                }
            }
            assert_well_formed(&html);
        }
    }
}
