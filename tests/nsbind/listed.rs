//! `nsbind --list` and `--json` read back, strictly, for the tests of
//! each feature that lists.

use super::*;

/// One entry (one pin) of `nsbind --list` or `--json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub ns: u64,
    pub kind: String,
    pub nprocs: u64,
    pub nfds: u64,
    pub nmounts: u64,
    /// JSON's "holder"; always None from the table, which only counts.
    pub holder: Option<String>,
    pub paths: Vec<String>,
}

/// The HOLDERS cell: `-`, or `Nproc`, `Nfd`, `Nmnt` in that order, apart
/// by commas, none of them 0.
pub fn parse_cell(cell: &str) -> Result<(u64, u64, u64), String> {
    let mut counts = [0u64; 3];
    if cell == "-" {
        return Ok((0, 0, 0));
    }
    let mut last = None;
    for part in cell.split(',') {
        let digits = part.bytes().take_while(u8::is_ascii_digit).count();
        let (n, unit) = part.split_at(digits);
        let at = ["proc", "fd", "mnt"]
            .iter()
            .position(|u| *u == unit)
            .ok_or_else(|| format!("bad unit in HOLDERS {cell:?}"))?;
        let n: u64 = n.parse().map_err(|_| format!("bad count in {cell:?}"))?;
        if n == 0 || last.is_some_and(|l| l >= at) {
            return Err(format!("HOLDERS {cell:?} is not in its form"));
        }
        last = Some(at);
        counts[at] = n;
    }
    Ok((counts[0], counts[1], counts[2]))
}

/// `--list`: a header `NS TYPE HOLDERS PATH`, then one line per pin, its
/// paths the rest of the line, apart by commas (a comma in a name is
/// `\x2c`).
pub fn parse_table(text: &str) -> Result<Vec<Listed>, String> {
    let mut lines = text.lines();
    let header = lines.next().ok_or("no header")?;
    if header.split_whitespace().collect::<Vec<_>>() != ["NS", "TYPE", "HOLDERS", "PATH"] {
        return Err(format!("bad header {header:?}"));
    }
    let field = |rest: &str| -> Result<(String, String), String> {
        let (word, rest) = rest
            .trim_start()
            .split_once(' ')
            .ok_or_else(|| format!("short line in {text:?}"))?;
        Ok((word.to_owned(), rest.to_owned()))
    };
    let mut found = Vec::new();
    for line in lines {
        let (ns, rest) = field(line)?;
        let (kind, rest) = field(&rest)?;
        let (cell, paths) = field(&rest)?;
        let (nprocs, nfds, nmounts) = parse_cell(&cell)?;
        found.push(Listed {
            ns: ns.parse().map_err(|_| format!("bad NS in {line:?}"))?,
            kind,
            nprocs,
            nfds,
            nmounts,
            holder: None,
            paths: paths
                .trim_start()
                .split(',')
                .map(|p| p.replace("\\x2c", ","))
                .collect(),
        });
    }
    Ok(found)
}

/// The members every `--json` entry has, in this order.
pub const JSON_KEYS: [&str; 8] = [
    "ns", "type", "nprocs", "nfds", "nmounts", "holder", "path", "paths",
];

/// `--json`: exactly {"namespaces": [{...}, ...]}, each entry with the
/// members of JSON_KEYS, "path" the first of "paths".
pub fn parse_listing_json(text: &str) -> Result<Vec<Listed>, String> {
    let Json::Obj(top) = JsonParser::parse(text)? else {
        return Err("not an object".into());
    };
    let [(key, Json::Arr(items))] = &top[..] else {
        return Err(format!("expected only \"namespaces\": [...], got {top:?}"));
    };
    if key != "namespaces" {
        return Err(format!("unexpected key {key:?}"));
    }
    let number = |v: &Json| match v {
        Json::Num(n) => n.parse::<u64>().map_err(|_| format!("not a count: {n}")),
        other => Err(format!("not a number: {other:?}")),
    };
    let string = |v: &Json| match v {
        Json::Str(s) => Ok(s.clone()),
        other => Err(format!("not a string: {other:?}")),
    };
    let mut found = Vec::new();
    for item in items {
        let Json::Obj(members) = item else {
            return Err(format!("not an object: {item:?}"));
        };
        let keys: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
        if keys != JSON_KEYS {
            return Err(format!("unexpected members {keys:?}"));
        }
        let value = |i: usize| &members[i].1;
        let holder = match value(5) {
            Json::Null => None,
            other => Some(string(other)?),
        };
        let Json::Arr(paths) = value(7) else {
            return Err(format!("paths should be an array: {members:?}"));
        };
        let paths = paths.iter().map(string).collect::<Result<Vec<_>, _>>()?;
        if paths.first() != Some(&string(value(6))?) {
            return Err(format!("path should be the first of paths: {members:?}"));
        }
        found.push(Listed {
            ns: number(value(0))?,
            kind: string(value(1))?,
            nprocs: number(value(2))?,
            nfds: number(value(3))?,
            nmounts: number(value(4))?,
            holder,
            paths,
        });
    }
    Ok(found)
}

/// The entries of a listing with a path under `dir`, in its order.
pub fn under(listed: Vec<Listed>, dir: &str) -> Vec<Listed> {
    let prefix = format!("{dir}/");
    listed
        .into_iter()
        .filter(|l| l.paths.iter().any(|p| p.starts_with(&prefix)))
        .collect()
}

/// The same without JSON's "holder", to compare with the table.
pub fn counts_only(listed: &[Listed]) -> Vec<Listed> {
    listed
        .iter()
        .map(|l| Listed {
            holder: None,
            ..l.clone()
        })
        .collect()
}

#[test]
fn holders_cells_read_back() {
    assert_eq!(parse_cell("-"), Ok((0, 0, 0)));
    assert_eq!(parse_cell("2proc,1fd,3mnt"), Ok((2, 1, 3)));
    assert_eq!(parse_cell("1fd"), Ok((0, 1, 0)));
    for bad in [
        "",
        "0proc",
        "1fd,1proc",
        "1proc,1proc",
        "1 proc",
        "proc",
        "1x",
    ] {
        assert!(parse_cell(bad).is_err(), "{bad:?}");
    }
}
