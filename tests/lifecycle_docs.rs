//! The committed drawings of the lifecycle agree with the table the code
//! decides with: the Mermaid block of `docs/lifecycle.md` is
//! `lifecycle::mermaid()`, `docs/lifecycle.dot` is `lifecycle::dot()`, and
//! `docs/lifecycle.svg` was rendered from that very DOT text.
//!
//! Graphviz is not needed here: `scripts/diagram.sh` writes the SHA-256 of
//! the DOT text it rendered into the SVG, and this test compares it with
//! the hash of `lifecycle::dot()`, then reads every state and every cause
//! and guard of the table in the SVG's text. When the table changes, run
//! `scripts/diagram.sh` and commit the three files.

use dojo_capture::IntentState;
use dojo_capture::lifecycle::{self, TRANSITIONS};
use sha2::{Digest, Sha256};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BEGIN: &str = "<!-- lifecycle.mermaid: begin";
const END: &str = "<!-- lifecycle.mermaid: end";
const REGENERATE: &str = "run scripts/diagram.sh and commit docs/lifecycle.*";

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{ROOT}/{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The text between the line starting with `BEGIN` and the one starting with `END`.
fn mermaid_block(markdown: &str) -> &str {
    let begin = markdown
        .find(BEGIN)
        .unwrap_or_else(|| panic!("docs/lifecycle.md has no line starting {BEGIN:?}"));
    let after_begin = begin
        + markdown[begin..]
            .find('\n')
            .expect("a line after the marker")
        + 1;
    let end = markdown[after_begin..].find(END).unwrap_or_else(|| {
        panic!("docs/lifecycle.md has no line starting {END:?} after {BEGIN:?}")
    });
    &markdown[after_begin..after_begin + end]
}

#[test]
fn the_mermaid_block_of_lifecycle_md_is_the_code_s() {
    let markdown = read("docs/lifecycle.md");
    let expected = format!("```mermaid\n{}```\n", lifecycle::mermaid());
    assert!(
        mermaid_block(&markdown) == expected,
        "docs/lifecycle.md's Mermaid block differs from lifecycle::mermaid(): {REGENERATE}"
    );
}

#[test]
fn lifecycle_dot_is_the_code_s() {
    assert!(
        read("docs/lifecycle.dot") == lifecycle::dot(),
        "docs/lifecycle.dot differs from lifecycle::dot(): {REGENERATE}"
    );
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The content of every `<text …>…</text>` element, entities decoded.
fn svg_texts(svg: &str) -> Vec<String> {
    let mut texts = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        rest = &rest[start..];
        let open_end = rest.find('>').expect("a closed <text> tag") + 1;
        let close = rest.find("</text>").expect("a </text>");
        texts.push(decode_xml(&rest[open_end..close]));
        rest = &rest[close..];
    }
    texts
}

fn decode_xml(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let semi = rest[amp..].find(';').expect("an entity ends with ;") + amp;
        let entity = &rest[amp + 1..semi];
        let decoded = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16)
                } else if let Some(decimal) = entity.strip_prefix('#') {
                    decimal.parse()
                } else {
                    panic!("unknown entity &{entity};")
                };
                char::from_u32(code.expect("a character code")).expect("a character")
            }
        };
        out.push(decoded);
        rest = &rest[semi + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn lifecycle_svg_was_rendered_from_the_code_s_dot() {
    let svg = read("docs/lifecycle.svg");
    let marker = "<!-- dot-sha256: ";
    let start = svg
        .find(marker)
        .unwrap_or_else(|| panic!("docs/lifecycle.svg has no {marker:?} comment: {REGENERATE}"))
        + marker.len();
    let hash = svg[start..].get(..64).unwrap_or_default();
    assert_eq!(
        hash,
        sha256_hex(&lifecycle::dot()),
        "docs/lifecycle.svg was rendered from another DOT text than lifecycle::dot(): {REGENERATE}"
    );
    assert_eq!(
        hash,
        sha256_hex(&read("docs/lifecycle.dot")),
        "docs/lifecycle.svg was not rendered from docs/lifecycle.dot: {REGENERATE}"
    );

    // The drawing itself shows every state and every edge's words: a hash
    // written by hand over an old drawing would not.
    let texts = svg_texts(&svg);
    let joined = texts.join(" ");
    for state in IntentState::ALL {
        assert!(
            texts.iter().any(|text| text == state.as_str()),
            "docs/lifecycle.svg has no node {state}: {REGENERATE}"
        );
    }
    for transition in TRANSITIONS {
        for words in [transition.cause.label(), transition.guard] {
            assert!(
                joined.contains(words),
                "docs/lifecycle.svg does not show {words:?} ({} -> {}): {REGENERATE}",
                transition.from,
                transition.to
            );
        }
    }
}

#[test]
fn the_svg_reader_decodes_what_graphviz_writes() {
    let svg =
        r#"<g><text x="1">change&#45;amount</text><text>amount &lt;= 5 &amp; &#x41;</text></g>"#;
    assert_eq!(svg_texts(svg), ["change-amount", "amount <= 5 & A"]);
}

/// The drawings are of the table: each state once as a node, each edge's
/// cause and guard in both formats, terminal states marked.
#[test]
fn both_drawings_show_every_state_and_every_edge() {
    let mermaid = lifecycle::mermaid();
    let dot = lifecycle::dot();
    for state in IntentState::ALL {
        let name = state.as_str();
        let (mermaid_node, dot_node) = if state.is_terminal() {
            (
                format!("    {name}(((\"{name}\")))\n"),
                format!("    {name} [peripheries=2];\n"),
            )
        } else {
            (
                format!("    {name}(\"{name}\")\n"),
                format!("    {name};\n"),
            )
        };
        assert!(mermaid.contains(&mermaid_node), "{mermaid_node}");
        assert!(dot.contains(&dot_node), "{dot_node}");
    }
    let unwrapped_dot = dot.replace("\\n", " ");
    let unescaped_mermaid = mermaid
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    for t in TRANSITIONS {
        assert!(unescaped_mermaid.contains(t.guard), "{t:?}");
        assert!(unwrapped_dot.contains(t.guard), "{t:?}");
        assert!(
            mermaid.contains(&format!("    {} -", t.from)),
            "no Mermaid edge from {}",
            t.from
        );
    }
    // Terminal states have no edge out, so the marking is also the table's.
    for state in IntentState::ALL.into_iter().filter(|s| s.is_terminal()) {
        assert!(TRANSITIONS.iter().all(|t| t.from != state), "{state}");
    }
}
