//! `docs/design.md` maps every rule and decision to the mechanism that
//! enforces it and the tests that prove it. These tests keep that mapping
//! true: every test it cites exists where it says, every rule (1–8) and
//! decision (each D<n> of docs/decisions.md) cites at least one, and what the document says the
//! library never does (read a clock, touch files, the network or the
//! environment, draw random numbers) is not in its sources.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: impl AsRef<Path>) -> String {
    let path = root().join(path);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text of every inline code span (`` `…` ``) of a markdown text,
/// outside fenced code blocks.
fn code_spans(markdown: &str) -> Vec<String> {
    let mut spans = Vec::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut parts = line.split('`');
        parts.next();
        while let (Some(span), Some(_)) = (parts.next(), parts.next()) {
            spans.push(span.to_owned());
        }
    }
    spans
}

/// A test cited as `tests/<file>.rs::<function>`, or a compile-fail case as
/// `tests/ui/<case>.rs`.
#[derive(Debug)]
enum Citation {
    Test { file: String, function: String },
    Case(String),
}

fn citations(markdown: &str) -> Vec<Citation> {
    code_spans(markdown)
        .into_iter()
        // `tests/<file>.rs::<function>` describes the format; it cites nothing.
        .filter(|span| span.starts_with("tests/") && span.contains(".rs") && !span.contains('<'))
        .map(|span| match span.split_once("::") {
            Some((file, function)) => Citation::Test {
                file: file.to_owned(),
                function: function.to_owned(),
            },
            None => Citation::Case(span),
        })
        .collect()
}

/// Whether `function` is a test in `source`: a `fn` under `#[test]` (other
/// attributes and comments may come between), or a `fn` inside a
/// `proptest!` or `prop_state_machine!` block, which makes it a test.
fn is_test(source: &str, function: &str) -> bool {
    let lines: Vec<&str> = source.lines().collect();
    let declares = |line: &str| {
        line.trim_start()
            .strip_prefix("fn ")
            .and_then(|rest| rest.strip_prefix(function))
            .is_some_and(|rest| rest.starts_with('(') || rest.starts_with('<'))
    };
    lines.iter().enumerate().any(|(at, line)| {
        if !declares(line) {
            return false;
        }
        let attributes = lines[..at].iter().rev().take_while(|line| {
            let line = line.trim_start();
            line.starts_with("#[") || line.starts_with("//")
        });
        if attributes.into_iter().any(|line| line.trim() == "#[test]") {
            return true;
        }
        // The item this line belongs to starts at the last line in column 0.
        lines[..at]
            .iter()
            .rev()
            .find(|line| line.chars().next().is_some_and(|c| !c.is_whitespace()))
            .is_some_and(|start| {
                start.starts_with("proptest!") || start.starts_with("prop_state_machine!")
            })
    })
}

#[test]
fn every_test_design_md_cites_exists() {
    let design = read("docs/design.md");
    let cited = citations(&design);
    assert!(cited.len() > 100, "only {} citations found", cited.len());
    let mut missing = Vec::new();
    for citation in &cited {
        match citation {
            Citation::Test { file, function } => {
                let path = root().join(file);
                if !path.is_file() {
                    missing.push(format!("{file}: no such file"));
                } else if !is_test(&read(file), function) {
                    missing.push(format!("{file}::{function}: no such test"));
                }
            }
            Citation::Case(path) => {
                if !root().join(path).is_file() {
                    missing.push(format!("{path}: no such file"));
                }
                if let Some(case) = path.strip_prefix("tests/ui/")
                    && !root()
                        .join("tests/ui")
                        .join(case.replace(".rs", ".stderr"))
                        .is_file()
                {
                    missing.push(format!(
                        "{path}: no .stderr, so it is not a compile-fail case"
                    ));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/design.md cites:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_citation_check_tells_tests_from_other_functions() {
    let source = "\
fn helper() {}

#[test]
// why
fn plain() {}

#[test]
#[should_panic(expected = \"x\")]
fn panics() {}

proptest! {
    #[test]
    fn generated(x in 0..1) {}

    fn also_generated(x in 0..1) {}
}

prop_state_machine! {
    fn machine(sequential 1..2 => T);
}
";
    for test in ["plain", "panics", "generated", "also_generated", "machine"] {
        assert!(is_test(source, test), "{test}");
    }
    for not_a_test in ["helper", "plai", "missing"] {
        assert!(!is_test(source, not_a_test), "{not_a_test}");
    }
}

/// The rows of the markdown table under `heading`, each as its cells.
fn table_rows(markdown: &str, heading: &str) -> Vec<Vec<String>> {
    let start = markdown
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("no heading {heading:?}"));
    markdown[start..]
        .lines()
        .skip(1)
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .skip(2) // the header and the separator
        .map(|line| {
            line.trim_matches('|')
                .split(" | ")
                .map(|cell| cell.trim().to_owned())
                .collect()
        })
        .collect()
}

fn cites_a_test(cell: &str) -> bool {
    citations(cell)
        .iter()
        .any(|c| matches!(c, Citation::Test { .. }))
}

#[test]
fn every_rule_and_decision_has_its_mechanism_and_a_test() {
    let design = read("docs/design.md");

    let rules = table_rows(&design, "## Dojo's rules: enforcement and tests");
    for n in 1..=8 {
        let label = format!("[{n}](decisions.md#rule-{n})");
        let row = rules
            .iter()
            .find(|row| row[0].starts_with(&label))
            .unwrap_or_else(|| panic!("rule {n} has no row"));
        assert_eq!(row.len(), 6, "rule {n}: {row:?}");
        assert!(
            row[2..5].iter().any(|cell| cell != "—"),
            "rule {n} names no mechanism"
        );
        assert!(cites_a_test(&row[5]), "rule {n} cites no test");
    }
    assert_eq!(rules.len(), 8);

    let decisions = table_rows(&design, "## Decisions: enforcement and tests");
    // Every numbered decision docs/decisions.md holds, read from its anchors:
    // a decision added there without a row here fails.
    let numbered = numbered_decisions();
    assert!(numbered.len() >= 24, "only {numbered:?} found");
    for &n in &numbered {
        let label = format!("[D{n}](decisions.md#d{n})");
        let row = decisions
            .iter()
            .find(|row| row[0].starts_with(&label))
            .unwrap_or_else(|| panic!("D{n} has no row"));
        assert_eq!(row.len(), 3, "D{n}: {row:?}");
        assert!(!row[1].is_empty(), "D{n} names no mechanism");
        assert!(cites_a_test(&row[2]), "D{n} cites no test");
    }
    assert_eq!(decisions.len(), numbered.len());
}

/// The numbers of the decisions in docs/decisions.md, from their anchors
/// (`<a id="d7"></a>`).
fn numbered_decisions() -> Vec<u32> {
    read("docs/decisions.md")
        .split("<a id=\"d")
        .skip(1)
        .filter_map(|rest| rest.split_once('"'))
        .filter_map(|(n, _)| n.parse().ok())
        .collect()
}

/// The library's sources without comments: what they do, not what they say.
fn library_code() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        let mut entries: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let code: String = fs::read_to_string(&path)
                    .unwrap()
                    .lines()
                    .filter(|line| !line.trim_start().starts_with("//"))
                    .map(|line| format!("{line}\n"))
                    .collect();
                out.push((path, code));
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join("src"), &mut out);
    out
}

#[test]
fn the_library_reads_no_clock_and_does_no_io() {
    const FORBIDDEN: &[&str] = &[
        // a clock (D8)
        "::now(",
        "SystemTime",
        "Instant",
        "UNIX_EPOCH",
        // files, the network, the process's environment, other threads
        "std::fs",
        "std::net",
        "std::env",
        "std::process",
        "std::thread",
        "stdin(",
        "stdout(",
        "File::",
        "TcpStream",
        // randomness
        "rand::",
        "getrandom",
        "thread_rng",
        "RandomState",
    ];
    let mut found = Vec::new();
    for (path, code) in library_code() {
        for (n, line) in code.lines().enumerate() {
            for token in FORBIDDEN {
                if line.contains(token) {
                    found.push(format!("{}:{}: {token}: {line}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));

    // Nor a dependency that would do it for the library.
    let manifest = read("Cargo.toml");
    let dependencies = manifest
        .split("\n[dependencies]\n")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .expect("a [dependencies] table");
    for crate_name in [
        "reqwest",
        "hyper",
        "ureq",
        "tokio",
        "async-std",
        "rand",
        "getrandom",
        "rusqlite",
        "sqlx",
        "postgres",
        "diesel",
    ] {
        assert!(
            !dependencies
                .lines()
                .any(|line| line.starts_with(&format!("{crate_name} "))
                    || line.starts_with(&format!("{crate_name}="))),
            "the library depends on {crate_name}"
        );
    }
}

// ---- every "D…" is a link to where the decision is explained ----

/// The `D<n>` mentions in `text` that are not written as `[D<n>]` followed
/// by `suffix(n)`. A mention is `D` and digits, not part of a longer word;
/// inline code is left out.
fn unlinked_decisions(text: &str, suffix: &dyn Fn(u32) -> String) -> Vec<String> {
    let mut unlinked = Vec::new();
    for (index, prose) in text.split('`').enumerate() {
        if index % 2 == 1 {
            continue; // inline code
        }
        let bytes = prose.as_bytes();
        // A hyphen joins words (`D6-8B` is hexadecimal); a range is written with an en dash.
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
        for (at, _) in prose.match_indices('D') {
            if at > 0 && word(bytes[at - 1]) {
                continue;
            }
            let digits: String = prose[at + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let end = at + 1 + digits.len();
            if digits.is_empty() || bytes.get(end).is_some_and(|&b| word(b)) {
                continue;
            }
            let n: u32 = digits.parse().unwrap();
            let linked = at > 0
                && bytes[at - 1] == b'['
                && prose[end..].starts_with(&format!("]{}", suffix(n)));
            if !linked {
                unlinked.push(format!("D{n}"));
            }
        }
    }
    unlinked
}

/// The prose of rustdoc in `source`: the text of `///` and `//!` lines and
/// of `#[doc = "…"]` attributes, outside fenced code blocks, with its line
/// numbers.
fn rustdoc_prose(source: &str) -> Vec<(usize, String)> {
    let mut prose = Vec::new();
    let mut fenced = false;
    for (n, line) in source.lines().enumerate() {
        let trimmed = line.trim_start();
        let text = if let Some(text) = trimmed
            .strip_prefix("///")
            .or_else(|| trimmed.strip_prefix("//!"))
        {
            text
        } else if let Some(text) = trimmed
            .strip_prefix("#![doc = \"")
            .or_else(|| trimmed.strip_prefix("#[doc = \""))
        {
            text.trim_end_matches("\"]")
        } else {
            continue;
        };
        if text.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            prose.push((n + 1, text.to_owned()));
        }
    }
    prose
}

#[test]
fn every_decision_in_rustdoc_links_to_the_decisions_module() {
    let target = |n: u32| format!("(crate::decisions#d{n})");
    let definition = |n: u32| format!(": crate::decisions#d{n}");
    let mut unlinked = Vec::new();
    let mut links = 0;
    for (path, _) in library_code() {
        let source = fs::read_to_string(&path).unwrap();
        for (line, text) in rustdoc_prose(&source) {
            // A link, or (in lib.rs) the definition of the README's reference link.
            let in_link = unlinked_decisions(&text, &target);
            let in_definition = unlinked_decisions(&text, &definition);
            links += text.matches("(crate::decisions#d").count();
            if !in_link.is_empty() && !in_definition.is_empty() {
                let path = path.strip_prefix(root()).unwrap_or(&path);
                unlinked.push(format!("{}:{line}: {}", path.display(), in_link.join(", ")));
            }
        }
    }
    assert!(
        unlinked.is_empty(),
        "write each as [D<n>](crate::decisions#d<n>):\n{}",
        unlinked.join("\n")
    );
    assert!(
        links > 100,
        "only {links} links found: is the scan reading the sources?"
    );
}

#[test]
fn the_decision_check_finds_what_is_not_a_link() {
    let target = |n: u32| format!("(crate::decisions#d{n})");
    assert!(
        unlinked_decisions(
            "[D7](crate::decisions#d7) and [D13](crate::decisions#d13)",
            &target
        )
        .is_empty()
    );
    assert_eq!(unlinked_decisions("replays (D7)", &target), ["D7"]);
    assert_eq!(
        unlinked_decisions("[D7](crate::decisions#d8)", &target),
        ["D7"]
    );
    assert_eq!(unlinked_decisions("[D7](decisions.md#d7)", &target), ["D7"]);
    // Not a decision: code, longer words, hexadecimal.
    assert!(unlinked_decisions("`D7` DD7 D7x sha256=94-D6-8B D", &target).is_empty());
}

#[test]
fn the_decisions_module_is_docs_decisions_md_with_every_anchor() {
    let decisions = read("docs/decisions.md");
    let headings: Vec<&str> = decisions.lines().filter(|l| l.starts_with('#')).collect();
    let position = |prefix: &str| {
        headings
            .iter()
            .position(|heading| heading.starts_with(prefix))
            .unwrap_or_else(|| panic!("no heading {prefix:?}"))
    };
    let rules: Vec<usize> = (1..=8)
        .map(|n| position(&format!("### <a id=\"rule-{n}\"></a>Rule {n}: ")))
        .collect();
    let ds: Vec<usize> = numbered_decisions()
        .into_iter()
        .map(|n| position(&format!("### <a id=\"d{n}\"></a>D{n} ")))
        .collect();
    assert!(rules.is_sorted() && ds.is_sorted(), "in order");

    // Within the document, a decision links to its own heading.
    let mut fenced = false;
    for (n, line) in decisions.lines().enumerate() {
        if line.starts_with("```") {
            fenced = !fenced;
        }
        if fenced || line.starts_with('#') {
            continue;
        }
        let unlinked = unlinked_decisions(line, &|d| format!("(#d{d})"));
        assert!(
            unlinked.is_empty(),
            "docs/decisions.md:{}: {unlinked:?}",
            n + 1
        );
    }

    // The module is that file.
    let lib = read("src/lib.rs");
    let module = lib
        .find("pub mod decisions {}")
        .expect("pub mod decisions {}");
    let included = lib
        .find("#[doc = include_str!(\"../docs/decisions.md\")]")
        .expect("the module includes docs/decisions.md");
    assert!(included < module && lib[included..module].lines().count() == 1);
}

#[test]
fn the_readme_links_each_decision_here_and_on_a_forge() {
    let readme = read("README.md");
    let lib = read("src/lib.rs");
    let mut fenced = false;
    let mut used = std::collections::BTreeSet::new();
    for (n, line) in readme.lines().enumerate() {
        if line.starts_with("```") {
            fenced = !fenced;
        }
        if fenced || line.starts_with('[') && line.contains("]: ") {
            continue;
        }
        let unlinked = unlinked_decisions(line, &|_| String::new());
        assert!(
            unlinked.is_empty(),
            "README.md:{}: write {unlinked:?} as [D<n>]",
            n + 1
        );
        used.extend(
            numbered_decisions()
                .into_iter()
                .filter(|d| line.contains(&format!("[D{d}]"))),
        );
    }
    assert!(!used.is_empty());
    for d in used {
        // On a forge, the README's definition; in rustdoc, lib.rs's, which
        // comes first and so wins.
        assert!(
            readme.contains(&format!("\n[D{d}]: docs/decisions.md#d{d}\n")),
            "README.md lacks [D{d}]: docs/decisions.md#d{d}"
        );
    }
    let readme_included = lib.find("include_str!(\"../README.md\")").unwrap();
    for d in numbered_decisions() {
        let definition = lib
            .find(&format!("#![doc = \"[D{d}]: crate::decisions#d{d}\"]"))
            .unwrap_or_else(|| panic!("src/lib.rs lacks the definition of [D{d}]"));
        assert!(
            definition < readme_included,
            "[D{d}] is defined after the README"
        );
    }
}
