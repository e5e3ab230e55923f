//! `formula`: a new column from a SQL expression, as polars' SQL reads one (`pl.sql_expr`), e.g.
//! `num_medications / (time_in_hospital + 1)` or `CASE WHEN age = '[70-80)' THEN 1 ELSE 0 END`.
//! The expression is parsed here (arithmetic, comparisons, AND/OR/NOT, IS [NOT] NULL, [NOT] IN,
//! [NOT] BETWEEN, CASE, and ABS, ROUND, FLOOR, CEIL, SQRT, LN, LOG10, EXP, POWER, UPPER, LOWER, LENGTH,
//! COALESCE) with the same meaning polars' SQL gives it, so the exported script can hand the very same
//! text to `pl.sql_expr`; a syntax error names its position and an unknown column its closest names.

use polars::prelude::*;
use serde::Deserialize;

use super::{Ctx, TypedOp, need, need_free};
use crate::error::Problem;
use crate::py;

pub struct Formula;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormulaP {
    /// The new (or replaced) column.
    name: String,
    /// A SQL expression over the input's columns.
    expr: String,
}

impl TypedOp for Formula {
    type P = FormulaP;
    type F = ();
    const NAME: &'static str = "formula";
    const DOC: &'static str = "new column from a SQL expression (as pl.sql_expr reads it): name, expr";
    fn validate(p: &FormulaP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        if p.name.trim().is_empty() {
            return Err(Problem::Param { param: "name".into(), message: "give the new column a name".into() });
        }
        // Replacing a column is allowed: `price = price * 1.2` is a common edit.
        if !s.contains(&p.name) {
            need_free(s, "name", &p.name)?;
        }
        let ast = parse(&p.expr)?;
        let mut cols = Vec::new();
        ast.columns(&mut cols);
        for c in cols {
            need(s, "expr", &c)?;
        }
        Ok(())
    }
    fn apply(p: &FormulaP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(lf.with_column(parse(&p.expr)?.expr()?.alias(p.name.as_str())))
    }
    fn python(p: &FormulaP, _: &(), _: &Schema) -> String {
        format!("df = df.with_columns(pl.sql_expr({}).alias({}))", py::s(&p.expr), py::s(&p.name))
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(String),
    Str(String),
    Ident(String),
    /// A "quoted" column name.
    Quoted(String),
    Op(&'static str),
}

fn bad(at: usize, message: impl std::fmt::Display) -> Problem {
    Problem::Param { param: "expr".into(), message: format!("at character {}: {message}", at + 1) }
}

fn lex(text: &str) -> Result<Vec<(usize, Tok)>, Problem> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|(_, d)| d.is_ascii_digit())) {
            let start = i;
            while i < chars.len() && (chars[i].1.is_ascii_digit() || chars[i].1 == '.') {
                i += 1;
            }
            out.push((at, Tok::Num(chars[start..i].iter().map(|(_, c)| c).collect())));
        } else if c == '\'' || c == '"' {
            // SQL doubles a quote inside a quoted text: 'it''s'.
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(bad(at, format!("the text starting here has no closing {c}"))),
                    Some((_, q)) if *q == c && chars.get(i + 1).is_some_and(|(_, n)| *n == c) => {
                        s.push(c);
                        i += 2;
                    }
                    Some((_, q)) if *q == c => {
                        i += 1;
                        break;
                    }
                    Some((_, q)) => {
                        s.push(*q);
                        i += 1;
                    }
                }
            }
            out.push((at, if c == '\'' { Tok::Str(s) } else { Tok::Quoted(s) }));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].1.is_alphanumeric() || chars[i].1 == '_') {
                i += 1;
            }
            out.push((at, Tok::Ident(chars[start..i].iter().map(|(_, c)| c).collect())));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().map(|(_, c)| c).collect();
            let op = ["<=", ">=", "<>", "!=", "=", "<", ">", "+", "-", "*", "/", "%", "(", ")", ","]
                .into_iter()
                .find(|o| two.starts_with(o))
                .ok_or_else(|| bad(at, format!("unexpected {c:?}")))?;
            i += op.chars().count();
            out.push((at, Tok::Op(op)));
        }
    }
    Ok(out)
}

#[derive(Debug, Clone)]
enum Ast {
    Col(String),
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    Null,
    Neg(Box<Ast>),
    Not(Box<Ast>),
    Bin(&'static str, Box<Ast>, Box<Ast>),
    IsNull(Box<Ast>, bool),
    In(Box<Ast>, Vec<Ast>, bool),
    Between(Box<Ast>, Box<Ast>, Box<Ast>, bool),
    Case(Vec<(Ast, Ast)>, Option<Box<Ast>>),
    Call(String, Vec<Ast>, usize),
}

const FUNCTIONS: &[(&str, usize, usize)] = &[
    ("ABS", 1, 1),
    ("ROUND", 1, 2),
    ("FLOOR", 1, 1),
    ("CEIL", 1, 1),
    ("CEILING", 1, 1),
    ("SQRT", 1, 1),
    ("LN", 1, 1),
    ("LOG10", 1, 1),
    ("EXP", 1, 1),
    ("POWER", 2, 2),
    ("POW", 2, 2),
    ("UPPER", 1, 1),
    ("LOWER", 1, 1),
    ("LENGTH", 1, 1),
    ("COALESCE", 1, 64),
];

fn parse(text: &str) -> Result<Ast, Problem> {
    if text.trim().is_empty() {
        return Err(Problem::Param { param: "expr".into(), message: "the expression is empty".into() });
    }
    let mut p = Parser { toks: lex(text)?, i: 0, end: text.chars().count() };
    let ast = p.or()?;
    match p.toks.get(p.i) {
        None => Ok(ast),
        Some((at, t)) => Err(bad(*at, format!("unexpected {}", show(t)))),
    }
}

fn show(t: &Tok) -> String {
    match t {
        Tok::Num(s) | Tok::Ident(s) => format!("`{s}`"),
        Tok::Str(s) => format!("'{s}'"),
        Tok::Quoted(s) => format!("\"{s}\""),
        Tok::Op(o) => format!("`{o}`"),
    }
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    i: usize,
    end: usize,
}

impl Parser {
    fn at(&self) -> usize {
        self.toks.get(self.i).map(|(a, _)| *a).unwrap_or(self.end)
    }
    fn kw(&mut self, word: &str) -> bool {
        if matches!(self.toks.get(self.i), Some((_, Tok::Ident(w))) if w.eq_ignore_ascii_case(word)) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn op(&mut self, o: &str) -> bool {
        if matches!(self.toks.get(self.i), Some((_, Tok::Op(x))) if *x == o) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn expect_op(&mut self, o: &str) -> Result<(), Problem> {
        if self.op(o) { Ok(()) } else { Err(bad(self.at(), format!("expected `{o}`"))) }
    }
    fn expect_kw(&mut self, w: &str) -> Result<(), Problem> {
        if self.kw(w) { Ok(()) } else { Err(bad(self.at(), format!("expected {w}"))) }
    }
    fn or(&mut self) -> Result<Ast, Problem> {
        let mut l = self.and()?;
        while self.kw("OR") {
            l = Ast::Bin("or", Box::new(l), Box::new(self.and()?));
        }
        Ok(l)
    }
    fn and(&mut self) -> Result<Ast, Problem> {
        let mut l = self.not()?;
        while self.kw("AND") {
            l = Ast::Bin("and", Box::new(l), Box::new(self.not()?));
        }
        Ok(l)
    }
    fn not(&mut self) -> Result<Ast, Problem> {
        if self.kw("NOT") { Ok(Ast::Not(Box::new(self.not()?))) } else { self.cmp() }
    }
    fn cmp(&mut self) -> Result<Ast, Problem> {
        let l = self.add()?;
        for o in ["=", "<>", "!=", "<=", ">=", "<", ">"] {
            if self.op(o) {
                return Ok(Ast::Bin(o, Box::new(l), Box::new(self.add()?)));
            }
        }
        if self.kw("IS") {
            let negated = self.kw("NOT");
            self.expect_kw("NULL")?;
            return Ok(Ast::IsNull(Box::new(l), negated));
        }
        let save = self.i;
        let negated = self.kw("NOT");
        if self.kw("IN") {
            self.expect_op("(")?;
            let mut items = vec![self.add()?];
            while self.op(",") {
                items.push(self.add()?);
            }
            self.expect_op(")")?;
            return Ok(Ast::In(Box::new(l), items, negated));
        }
        if self.kw("BETWEEN") {
            let lo = self.add()?;
            self.expect_kw("AND")?;
            let hi = self.add()?;
            return Ok(Ast::Between(Box::new(l), Box::new(lo), Box::new(hi), negated));
        }
        self.i = save;
        Ok(l)
    }
    fn add(&mut self) -> Result<Ast, Problem> {
        let mut l = self.mul()?;
        loop {
            let o = if self.op("+") {
                "+"
            } else if self.op("-") {
                "-"
            } else {
                return Ok(l);
            };
            l = Ast::Bin(o, Box::new(l), Box::new(self.mul()?));
        }
    }
    fn mul(&mut self) -> Result<Ast, Problem> {
        let mut l = self.unary()?;
        loop {
            let o = if self.op("*") {
                "*"
            } else if self.op("/") {
                "/"
            } else if self.op("%") {
                "%"
            } else {
                return Ok(l);
            };
            l = Ast::Bin(o, Box::new(l), Box::new(self.unary()?));
        }
    }
    fn unary(&mut self) -> Result<Ast, Problem> {
        if self.op("-") {
            return Ok(Ast::Neg(Box::new(self.unary()?)));
        }
        if self.op("+") {
            return self.unary();
        }
        self.primary()
    }
    fn primary(&mut self) -> Result<Ast, Problem> {
        let at = self.at();
        let Some((_, t)) = self.toks.get(self.i).cloned() else {
            return Err(bad(at, "the expression ends where a value was expected"));
        };
        self.i += 1;
        match t {
            Tok::Num(s) if s.contains('.') => s.parse().map(Ast::Float).map_err(|_| bad(at, format!("`{s}` is not a number"))),
            Tok::Num(s) => s.parse().map(Ast::Int).map_err(|_| bad(at, format!("`{s}` is not a whole number Cairn can hold"))),
            Tok::Str(s) => Ok(Ast::Str(s)),
            Tok::Quoted(s) => Ok(Ast::Col(s)),
            Tok::Op("(") => {
                let e = self.or()?;
                self.expect_op(")")?;
                Ok(e)
            }
            Tok::Ident(w) if w.eq_ignore_ascii_case("TRUE") => Ok(Ast::Bool(true)),
            Tok::Ident(w) if w.eq_ignore_ascii_case("FALSE") => Ok(Ast::Bool(false)),
            Tok::Ident(w) if w.eq_ignore_ascii_case("NULL") => Ok(Ast::Null),
            Tok::Ident(w) if w.eq_ignore_ascii_case("CASE") => self.case(),
            Tok::Ident(w) if self.op("(") => {
                let mut args = Vec::new();
                if !self.op(")") {
                    args.push(self.or()?);
                    while self.op(",") {
                        args.push(self.or()?);
                    }
                    self.expect_op(")")?;
                }
                let name = w.to_ascii_uppercase();
                let Some((_, min, max)) = FUNCTIONS.iter().find(|(n, ..)| *n == name) else {
                    let known: Vec<&str> = FUNCTIONS.iter().map(|(n, ..)| *n).collect();
                    return Err(bad(at, format!("no function {w} here (known: {})", known.join(", "))));
                };
                if args.len() < *min || args.len() > *max {
                    return Err(bad(
                        at,
                        format!(
                            "{name} takes {min}{} argument(s), not {}",
                            if max > min { format!("–{max}") } else { String::new() },
                            args.len()
                        ),
                    ));
                }
                Ok(Ast::Call(name, args, at))
            }
            Tok::Ident(w) => Ok(Ast::Col(w)),
            t => Err(bad(at, format!("unexpected {}", show(&t)))),
        }
    }
    fn case(&mut self) -> Result<Ast, Problem> {
        let mut arms = Vec::new();
        while self.kw("WHEN") {
            let c = self.or()?;
            self.expect_kw("THEN")?;
            arms.push((c, self.or()?));
        }
        if arms.is_empty() {
            return Err(bad(self.at(), "CASE needs at least one WHEN … THEN …"));
        }
        let otherwise = if self.kw("ELSE") { Some(Box::new(self.or()?)) } else { None };
        self.expect_kw("END")?;
        Ok(Ast::Case(arms, otherwise))
    }
}

impl Ast {
    fn columns(&self, out: &mut Vec<String>) {
        match self {
            Ast::Col(c) => out.push(c.clone()),
            Ast::Neg(a) | Ast::Not(a) | Ast::IsNull(a, _) => a.columns(out),
            Ast::Bin(_, a, b) => {
                a.columns(out);
                b.columns(out);
            }
            Ast::In(a, items, _) => {
                a.columns(out);
                items.iter().for_each(|i| i.columns(out));
            }
            Ast::Between(a, b, c, _) => [a, b, c].iter().for_each(|x| x.columns(out)),
            Ast::Case(arms, e) => {
                for (c, v) in arms {
                    c.columns(out);
                    v.columns(out);
                }
                if let Some(e) = e {
                    e.columns(out);
                }
            }
            Ast::Call(_, args, _) => args.iter().for_each(|a| a.columns(out)),
            Ast::Int(_) | Ast::Float(_) | Ast::Str(_) | Ast::Bool(_) | Ast::Null => {}
        }
    }

    fn expr(&self) -> Result<Expr, Problem> {
        Ok(match self {
            Ast::Col(c) => col(c.as_str()),
            Ast::Int(n) => lit(*n),
            Ast::Float(x) => lit(*x),
            Ast::Str(s) => lit(s.clone()),
            Ast::Bool(b) => lit(*b),
            Ast::Null => Expr::Literal(LiteralValue::untyped_null()),
            Ast::Neg(a) => match a.as_ref() {
                Ast::Int(n) => lit(-*n),
                Ast::Float(x) => lit(-*x),
                a => lit(0) - a.expr()?,
            },
            Ast::Not(a) => a.expr()?.not(),
            Ast::Bin(o, a, b) => {
                let (l, r) = (a.expr()?, b.expr()?);
                match *o {
                    "or" => l.or(r),
                    "and" => l.and(r),
                    "=" => l.eq(r),
                    "<>" | "!=" => l.eq(r).not(),
                    "<" => l.lt(r),
                    "<=" => l.lt_eq(r),
                    ">" => l.gt(r),
                    ">=" => l.gt_eq(r),
                    "+" => l + r,
                    "-" => l - r,
                    "*" => l * r,
                    "/" => l.true_div(r),
                    _ => l % r,
                }
            }
            Ast::IsNull(a, negated) => {
                let e = a.expr()?;
                if *negated { e.is_not_null() } else { e.is_null() }
            }
            Ast::In(a, items, negated) => {
                let set = literal_series(items)?;
                let e = a.expr()?.is_in(lit(set).implode(false), false);
                if *negated { e.not() } else { e }
            }
            Ast::Between(a, lo, hi, negated) => {
                let (e, lo, hi) = (a.expr()?, lo.expr()?, hi.expr()?);
                if *negated { e.clone().lt(lo).or(e.gt(hi)) } else { e.clone().gt_eq(lo).and(e.lt_eq(hi)) }
            }
            Ast::Case(arms, otherwise) => {
                let other = match otherwise {
                    Some(e) => e.expr()?,
                    None => Expr::Literal(LiteralValue::untyped_null()),
                };
                let first = when(arms[0].0.expr()?).then(arms[0].1.expr()?);
                match arms.get(1) {
                    None => first.otherwise(other),
                    Some((c1, v1)) => {
                        let mut chain = first.when(c1.expr()?).then(v1.expr()?);
                        for (c, v) in &arms[2..] {
                            chain = chain.when(c.expr()?).then(v.expr()?);
                        }
                        chain.otherwise(other)
                    }
                }
            }
            Ast::Call(name, args, at) => call(name, args, *at)?,
        })
    }
}

fn call(name: &str, args: &[Ast], at: usize) -> Result<Expr, Problem> {
    let a = args[0].expr()?;
    Ok(match name {
        "ABS" => a.abs(),
        "ROUND" => {
            let digits = match args.get(1) {
                None => 0,
                Some(Ast::Int(n)) if *n >= 0 => *n as u32,
                Some(_) => return Err(bad(at, "ROUND's second argument is a whole number of decimals, 0 or more")),
            };
            a.round(digits, RoundMode::default())
        }
        "FLOOR" => a.floor(),
        "CEIL" | "CEILING" => a.ceil(),
        "SQRT" => a.sqrt(),
        "LN" => a.log(lit(std::f64::consts::E)),
        "LOG10" => a.log(lit(10.0)),
        "EXP" => a.exp(),
        "POWER" | "POW" => a.pow(args[1].expr()?),
        "UPPER" => a.str().to_uppercase(),
        "LOWER" => a.str().to_lowercase(),
        "LENGTH" => a.str().len_chars(),
        _ => coalesce(&args.iter().map(Ast::expr).collect::<Result<Vec<_>, _>>()?),
    })
}

/// An IN list as one typed Series: all whole numbers, all numbers, or all texts.
fn literal_series(items: &[Ast]) -> Result<Series, Problem> {
    let fail = || Problem::Param { param: "expr".into(), message: "the values of an IN list must be all numbers or all texts".into() };
    if items.iter().all(|i| matches!(i, Ast::Int(_))) {
        let v: Vec<i64> = items.iter().filter_map(|i| if let Ast::Int(n) = i { Some(*n) } else { None }).collect();
        return Ok(Series::new("".into(), v));
    }
    if items.iter().all(|i| matches!(i, Ast::Int(_) | Ast::Float(_))) {
        let v: Vec<f64> = items
            .iter()
            .filter_map(|i| match i {
                Ast::Int(n) => Some(*n as f64),
                Ast::Float(x) => Some(*x),
                _ => None,
            })
            .collect();
        return Ok(Series::new("".into(), v));
    }
    if items.iter().all(|i| matches!(i, Ast::Str(_))) {
        let v: Vec<&str> = items.iter().filter_map(|i| if let Ast::Str(s) = i { Some(s.as_str()) } else { None }).collect();
        return Ok(Series::new("".into(), v));
    }
    Err(fail())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_name_their_position() {
        let msg = |t: &str| parse(t).unwrap_err().to_string();
        assert!(msg("a +").contains("character 4"), "{}", msg("a +"));
        assert!(msg("(a + 1").contains("expected `)`"));
        assert!(msg("a $ 1").contains("character 3") && msg("a $ 1").contains("'$'"));
        assert!(msg("'open").contains("no closing"));
        assert!(msg("FOO(a)").contains("no function FOO"));
        assert!(msg("ROUND(a, 1, 2)").contains("ROUND takes 1–2"));
        assert!(msg("CASE a END").contains("WHEN"));
        assert!(msg("").contains("empty"));
    }

    #[test]
    fn precedence_is_sqls() {
        let mut cols = Vec::new();
        let a = parse("NOT x = 1 AND y + 2 * \"z w\" > 3 OR w IS NOT NULL").unwrap();
        a.columns(&mut cols);
        assert_eq!(cols, ["x", "y", "z w", "w"]);
        assert!(matches!(a, Ast::Bin("or", ..)));
        assert!(matches!(parse("1 + 2 * 3").unwrap(), Ast::Bin("+", _, r) if matches!(*r, Ast::Bin("*", ..))));
        assert!(matches!(parse("a NOT BETWEEN 1 AND 2").unwrap(), Ast::Between(_, _, _, true)));
        assert!(matches!(parse("'it''s'").unwrap(), Ast::Str(s) if s == "it's"));
    }
}
