//! The syntax of MLflow's search filters and order-by clauses: `key op value [AND key op value]…` and
//! `key [ASC|DESC]`. A hand-written scanner so that every error names the character where it went wrong
//! and what was expected there; what the keys mean is [`super::search`]'s business.
//!
//! Keys are `entity.key` or `key`; either part may be quoted with backticks or double quotes, and an
//! unquoted key may contain dots (`tags.mlflow.runName`). Values are numbers, 'single' or "double" quoted
//! strings, or a parenthesised list of quoted strings.

use super::error::{Result, TrackingError};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
    ILike,
    In,
    NotIn,
    IsNull,
    IsNotNull,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Like => "LIKE",
            Op::ILike => "ILIKE",
            Op::In => "IN",
            Op::NotIn => "NOT IN",
            Op::IsNull => "IS NULL",
            Op::IsNotNull => "IS NOT NULL",
        }
    }
}

/// `entity.key` as written: the entity (if any) and the key with quotes removed.
#[derive(Debug, Clone)]
pub struct RawIdent {
    pub entity: Option<String>,
    pub key: String,
    /// The identifier as written, for messages.
    pub text: String,
    /// 0-based character position where it starts.
    pub start: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    Str(String),
    /// A numeric literal; `int` is set when it was written without a fraction or exponent.
    Num {
        value: f64,
        int: Option<i64>,
        text: String,
    },
    List(Vec<String>),
    /// For `IS NULL` / `IS NOT NULL`.
    None,
}

#[derive(Debug, Clone)]
pub struct RawClause {
    pub ident: RawIdent,
    pub op: Op,
    pub op_pos: usize,
    pub value: RawValue,
    pub value_pos: usize,
}

/// Where an error was found, as "at character N" (1-based) in messages.
pub fn filter_error(pos: usize, msg: impl std::fmt::Display) -> TrackingError {
    TrackingError::InvalidFilter(format!("at character {}: {msg}", pos + 1))
}

struct Cursor {
    chars: Vec<char>,
    pos: usize,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn describe(c: Option<char>) -> String {
    match c {
        None => "the end of the filter".into(),
        Some(c) => format!("`{c}`"),
    }
}

impl Cursor {
    fn new(src: &str) -> Cursor {
        Cursor { chars: src.chars().collect(), pos: 0 }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.chars.get(self.pos + k).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn text(&self, from: usize) -> String {
        self.chars[from..self.pos].iter().collect()
    }

    /// The next word (letters, digits, `_`) without consuming it.
    fn peek_word(&self) -> String {
        self.chars[self.pos..].iter().take_while(|c| is_word(**c)).collect()
    }

    /// Consumes `kw` (any case) if it is the next whole word.
    fn eat_keyword(&mut self, kw: &str) -> bool {
        let w = self.peek_word();
        if !w.is_empty() && w.eq_ignore_ascii_case(kw) {
            self.pos += w.chars().count();
            true
        } else {
            false
        }
    }

    fn quoted(&mut self, what: &str) -> Result<String> {
        let open_at = self.pos;
        let q = self.chars[self.pos];
        self.pos += 1;
        let mut s = String::new();
        loop {
            match self.peek() {
                None => return Err(filter_error(open_at, format!("the {what} that starts here is never closed with {q}"))),
                Some(c) if c == q && self.peek_at(1) == Some(q) => {
                    // A doubled quote stands for the quote itself, as in SQL.
                    s.push(q);
                    self.pos += 2;
                }
                Some(c) if c == q => {
                    self.pos += 1;
                    return Ok(s);
                }
                Some('\\') if q == '\'' && self.peek_at(1).is_some() => {
                    s.push(self.chars[self.pos + 1]);
                    self.pos += 2;
                }
                Some(c) => {
                    s.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    /// One part of an identifier: a quoted name, or a bare word (with dots when `dots`).
    fn piece(&mut self, dots: bool, after: &str) -> Result<String> {
        match self.peek() {
            Some('`' | '"') => {
                let at = self.pos;
                let s = self.quoted("quoted name")?;
                if s.is_empty() {
                    return Err(filter_error(at, "a quoted name is empty"));
                }
                Ok(s)
            }
            Some(c) if is_word(c) => {
                let from = self.pos;
                while self.peek().is_some_and(|c| is_word(c) || (dots && c == '.')) {
                    self.pos += 1;
                }
                Ok(self.text(from))
            }
            Some('(') if after.is_empty() => {
                Err(filter_error(self.pos, "parentheses are not supported; clauses can only be joined with AND"))
            }
            other if after.is_empty() => Err(filter_error(
                self.pos,
                format!("expected a key like metrics.auc, params.lr or tags.`my tag`, found {}", describe(other)),
            )),
            other => Err(filter_error(self.pos, format!("expected a key after `{after}`, found {}", describe(other)))),
        }
    }

    fn identifier(&mut self) -> Result<RawIdent> {
        let start = self.pos;
        let first = self.piece(false, "")?;
        let (entity, key) = if self.peek() == Some('.') {
            self.pos += 1;
            let after = self.text(start);
            (Some(first), self.piece(true, &after)?)
        } else {
            (None, first)
        };
        Ok(RawIdent { entity, key, text: self.text(start), start })
    }

    fn comparator(&mut self, after: &str) -> Result<(Op, usize)> {
        let at = self.pos;
        let two = (self.peek(), self.peek_at(1));
        let (op, len) = match two {
            (Some('='), Some('=')) => return Err(filter_error(at, "`==` is not an operator here; use `=`")),
            (Some('='), _) => (Op::Eq, 1),
            (Some('!'), Some('=')) => (Op::Ne, 2),
            (Some('<'), Some('>')) => return Err(filter_error(at, "`<>` is not an operator here; use `!=`")),
            (Some('<'), Some('=')) => (Op::Le, 2),
            (Some('<'), _) => (Op::Lt, 1),
            (Some('>'), Some('=')) => (Op::Ge, 2),
            (Some('>'), _) => (Op::Gt, 1),
            (Some(c), _) if is_word(c) => {
                let word = self.peek_word().to_ascii_uppercase();
                self.pos += word.chars().count();
                let op = match word.as_str() {
                    "LIKE" => Op::Like,
                    "ILIKE" => Op::ILike,
                    "IN" => Op::In,
                    "NOT" => {
                        self.skip_ws();
                        if !self.eat_keyword("IN") {
                            return Err(filter_error(self.pos, "expected IN after NOT (NOT IN is the only negated operator)"));
                        }
                        Op::NotIn
                    }
                    "IS" => {
                        self.skip_ws();
                        let not = self.eat_keyword("NOT");
                        self.skip_ws();
                        if !self.eat_keyword("NULL") {
                            return Err(filter_error(self.pos, "expected NULL or NOT NULL after IS"));
                        }
                        if not { Op::IsNotNull } else { Op::IsNull }
                    }
                    _ => {
                        return Err(filter_error(at, format!("expected a comparison operator after `{after}`, found `{}`", self.text(at))));
                    }
                };
                return Ok((op, at));
            }
            (other, _) => {
                let hint = if matches!(other, Some('-' | '/' | ':' | '.')) {
                    "; quote keys with special characters in backticks, e.g. metrics.`val-loss`"
                } else {
                    ""
                };
                return Err(filter_error(at, format!("expected a comparison operator after `{after}`, found {}{hint}", describe(other))));
            }
        };
        self.pos += len;
        Ok((op, at))
    }

    fn number(&mut self) -> Result<RawValue> {
        let from = self.pos;
        if matches!(self.peek(), Some('+' | '-')) {
            self.pos += 1;
        }
        let digits = |c: &mut Cursor| {
            let s = c.pos;
            while c.peek().is_some_and(|c| c.is_ascii_digit()) {
                c.pos += 1;
            }
            c.pos > s
        };
        let mut any = digits(self);
        let mut int = true;
        if self.peek() == Some('.') {
            self.pos += 1;
            int = false;
            any |= digits(self);
        }
        if any && matches!(self.peek(), Some('e' | 'E')) {
            let save = self.pos;
            self.pos += 1;
            if matches!(self.peek(), Some('+' | '-')) {
                self.pos += 1;
            }
            if digits(self) {
                int = false;
            } else {
                self.pos = save;
            }
        }
        let text = self.text(from);
        if !any || self.peek().is_some_and(is_word) {
            while self.peek().is_some_and(is_word) {
                self.pos += 1;
            }
            return Err(filter_error(from, format!("`{}` is not a number", self.text(from))));
        }
        let value: f64 = text.parse().map_err(|_| filter_error(from, format!("`{text}` is not a number")))?;
        let int = if int { text.parse::<i64>().ok() } else { None };
        Ok(RawValue::Num { value, int, text })
    }

    fn list(&mut self) -> Result<RawValue> {
        let open_at = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                Some('\'' | '"') => items.push(self.quoted("string")?),
                Some(')') if items.is_empty() => {
                    return Err(filter_error(open_at, "the list is empty; give at least one quoted value"));
                }
                other => {
                    return Err(filter_error(self.pos, format!("expected a quoted string in the list, found {}", describe(other))));
                }
            }
            self.skip_ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(')') => {
                    self.pos += 1;
                    return Ok(RawValue::List(items));
                }
                other => {
                    return Err(filter_error(self.pos, format!("expected `,` or `)` in the list, found {}", describe(other))));
                }
            }
        }
    }

    fn value(&mut self, after: &str) -> Result<(RawValue, usize)> {
        let at = self.pos;
        let v = match (self.peek(), self.peek_at(1)) {
            (Some('\'' | '"'), _) => RawValue::Str(self.quoted("string")?),
            (Some('('), _) => self.list()?,
            (Some(c), _) if c.is_ascii_digit() => self.number()?,
            (Some('.' | '+' | '-'), Some(d)) if d.is_ascii_digit() || d == '.' => self.number()?,
            (Some(c), _) if is_word(c) => {
                let w = self.peek_word();
                return Err(filter_error(
                    at,
                    format!("expected a value after `{after}`: a number, or a string in quotes like '{w}'; found `{w}`"),
                ));
            }
            (other, _) => {
                return Err(filter_error(
                    at,
                    format!("expected a value after `{after}` (a number or a quoted string), found {}", describe(other)),
                ));
            }
        };
        Ok((v, at))
    }
}

/// Parses a filter into clauses, checking syntax only. An empty filter has no clauses.
pub fn parse_filter(src: &str) -> Result<Vec<RawClause>> {
    let mut c = Cursor::new(src);
    let mut out = Vec::new();
    c.skip_ws();
    if c.at_end() {
        return Ok(out);
    }
    loop {
        let clause_start = c.pos;
        let ident = c.identifier()?;
        c.skip_ws();
        let (op, op_pos) = c.comparator(&ident.text)?;
        c.skip_ws();
        let (value, value_pos) = if matches!(op, Op::IsNull | Op::IsNotNull) {
            (RawValue::None, op_pos)
        } else {
            c.value(&format!("{} {}", ident.text, op.as_str()))?
        };
        out.push(RawClause { ident, op, op_pos, value, value_pos });
        let clause = c.text(clause_start);
        c.skip_ws();
        if c.at_end() {
            return Ok(out);
        }
        let at = c.pos;
        if c.eat_keyword("AND") {
            c.skip_ws();
            if c.at_end() {
                return Err(filter_error(at, "expected a clause after AND, found the end of the filter"));
            }
            continue;
        }
        if c.eat_keyword("OR") {
            return Err(filter_error(at, "OR is not supported; clauses can only be joined with AND"));
        }
        return Err(filter_error(at, format!("expected AND or the end of the filter after `{clause}`, found {}", describe(c.peek()))));
    }
}

/// Parses one order-by clause: a key, then optionally ASC or DESC (any case). True means ascending.
pub fn parse_order(src: &str) -> Result<(RawIdent, bool)> {
    let mut c = Cursor::new(src);
    c.skip_ws();
    let ident = c.identifier()?;
    c.skip_ws();
    let ascending = if c.eat_keyword("ASC") { true } else { !c.eat_keyword("DESC") };
    c.skip_ws();
    if !c.at_end() {
        return Err(filter_error(c.pos, format!("expected ASC, DESC or the end after `{}`, found {}", ident.text, describe(c.peek()))));
    }
    Ok((ident, ascending))
}
