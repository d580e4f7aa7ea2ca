//! Reads dive's `.dive-ci` file as dive does (`options/ci.go`: `yaml.v3` into a struct of
//! three strings under `rules`): a key the file leaves out or sets to null keeps dive's
//! default; a scalar is taken as written (`0.95`, `20Mb`, `off`, `""`); a list or mapping
//! where a value belongs, a `rules` that is not a mapping, or a file that is not YAML is an
//! error naming the key and line. Other keys (`plugins`, unknown rules) are ignored, and
//! only the first YAML document counts, as in dive.

use super::dive_ci::{CiRule, RuleError, DEFAULTS};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A parsed YAML node, with the (1-based) line it starts on: just what the file's shape
/// needs.
#[derive(Clone, Debug)]
enum Node {
    /// The text as written, and whether it was a plain (unquoted) scalar.
    Scalar(String, bool, usize),
    Map(Vec<(Node, Node)>, usize),
    Seq(usize),
}

impl Node {
    fn line(&self) -> usize {
        match self {
            Node::Scalar(_, _, l) | Node::Map(_, l) | Node::Seq(l) => *l,
        }
    }
    /// YAML's null as yaml.v3 resolves a plain scalar.
    fn is_null(&self) -> bool {
        matches!(self, Node::Scalar(v, true, _) if matches!(v.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }
    fn is_key(&self, key: &str) -> bool {
        matches!(self, Node::Scalar(s, _, _) if s == key)
    }
}

/// An open collection: its items so far (a map's keys and values alternate), whether it
/// is a map, its line and anchor.
type Open = (Vec<Node>, bool, usize, usize);

#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    anchors: std::collections::HashMap<usize, Node>,
    root: Option<Node>,
}

impl Builder {
    fn push(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            Some((items, ..)) => items.push(node),
            None => {
                self.root.get_or_insert(node);
            }
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let line = mark.line();
        match ev {
            Event::Scalar(v, style, anchor, _) => {
                self.push(Node::Scalar(v, style == TScalarStyle::Plain, line), anchor)
            }
            Event::MappingStart(anchor, _) => self.stack.push((vec![], true, line, anchor)),
            Event::SequenceStart(anchor, _) => self.stack.push((vec![], false, line, anchor)),
            Event::MappingEnd | Event::SequenceEnd => {
                let Some((items, is_map, line, anchor)) = self.stack.pop() else {
                    return;
                };
                let node = if is_map {
                    let mut pairs = vec![];
                    let mut it = items.into_iter();
                    while let (Some(k), Some(v)) = (it.next(), it.next()) {
                        pairs.push((k, v));
                    }
                    Node::Map(pairs, line)
                } else {
                    Node::Seq(line)
                };
                self.push(node, anchor);
            }
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().unwrap_or(Node::Scalar(
                    String::new(),
                    true,
                    line,
                ));
                self.push(node, 0);
            }
            _ => {}
        }
    }
}

/// The three rules of a `.dive-ci` text, each from the file or dive's default; every
/// value dive would refuse is reported, not just the first (dive joins them too).
pub fn parse(text: &str) -> Result<Vec<CiRule>, Vec<RuleError>> {
    let mut b = Builder::default();
    if let Err(e) = Parser::new_from_str(text).load(&mut b, false) {
        return Err(vec![RuleError {
            key: String::new(),
            line: Some(e.marker().line()),
            message: format!("not YAML: {}", e.info()),
        }]);
    }
    let shape = |line: usize, what: &str| {
        vec![RuleError {
            key: String::new(),
            line: Some(line),
            message: what.into(),
        }]
    };
    let rules: Vec<(Node, Node)> = match b.root {
        None => vec![],
        Some(n) if n.is_null() => vec![],
        Some(Node::Map(top, _)) => match top.into_iter().find(|(k, _)| k.is_key("rules")) {
            None => vec![],
            Some((_, Node::Map(rules, _))) => rules,
            Some((_, v)) if v.is_null() => vec![],
            Some((_, v)) => return Err(shape(v.line(), "`rules` is not a mapping")),
        },
        Some(n) => return Err(shape(n.line(), "the file is not a mapping")),
    };
    let mut out = vec![];
    let mut errors = vec![];
    for (key, default) in DEFAULTS {
        let mut given = rules.iter().filter(|(k, _)| k.is_key(key));
        let value = given.next().map(|(_, v)| v);
        let err = |line, message| RuleError {
            key: key.into(),
            line,
            message,
        };
        // yaml.v3 refuses a key given twice in one mapping.
        if let Some((k, _)) = given.next() {
            errors.push(err(Some(k.line()), "given more than once".into()));
            continue;
        }
        let text = match value {
            None => default.to_string(),
            Some(v) if v.is_null() => default.to_string(),
            Some(Node::Scalar(v, _, _)) => v.clone(),
            Some(v) => {
                let what = "expected a single value, found a list or mapping".to_string();
                errors.push(err(Some(v.line()), what));
                continue;
            }
        };
        match CiRule::new(key, &text) {
            Ok(r) => out.push(r),
            Err(message) => errors.push(err(value.map(Node::line), message)),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// dive's rules when there is no `.dive-ci`.
pub fn defaults() -> Vec<CiRule> {
    DEFAULTS
        .iter()
        .map(|(k, v)| CiRule::new(k, v).expect("dive's defaults are valid"))
        .collect()
}
