//! The binary run as tini and as catatonit, with the extensions their
//! `DUMB_INIT_*` variables turn on (what the differential suites in
//! compat-tests/ cannot compare, the originals having none), and the
//! variable that picks the personality where the name cannot. Each runs in
//! a PID namespace under tini, which reaps what is orphaned.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "a test fails by panicking; Cargo.toml's lints guard the program"
)]

mod common;

use common::*;

/// Runs `script` with `$INIT_AS` a link to the binary under test named
/// `name` and `$W` a scratch directory (tests/common's
/// `lines_in_namespace`); its stdout lines.
fn as_named(name: &str, script: &str) -> Option<Vec<String>> {
    lines_in_namespace(&format!(
        "export W=\"$WORK\"; INIT_AS=\"$W/{name}\"; ln -s \"$DUMB_INIT\" \"$INIT_AS\"\n\
         wait_for() {{ while [ ! -e \"$1\" ]; do sleep 0.01; done; }}\n{script}"
    ))
}

#[test]
fn as_docker_init_tree_reaches_a_setsid_daemon_that_tini_would_miss() {
    // Docker's --init runs the init as docker-init: without the variable a
    // `docker stop` reaches the entrypoint alone, as under tini; with
    // DUMB_INIT_TREE=1, the daemon it started in a session of its own too.
    for tree in ["", "DUMB_INIT_TREE=1"] {
        let Some(lines) = as_named(
            "docker-init",
            &format!(
                r#"
                env {tree} "$INIT_AS" -s -- sh -c '
                    setsid sh -c "trap \"echo daemon got TERM >> $W/log; exit 0\" TERM; : > $W/up; while :; do sleep 0.05; done" &
                    trap "exit 0" TERM
                    while [ ! -e $W/up ]; do sleep 0.01; done
                    : > $W/ready
                    while :; do sleep 0.05; done' &
                init=$!
                wait_for $W/ready
                kill -TERM $init
                wait $init; echo "status $?"
                sleep 0.3
                cat $W/log 2>/dev/null || true
                "#
            ),
        ) else {
            return;
        };
        assert!(lines.contains(&"status 0".to_owned()), "{tree}: {lines:?}");
        let reached = lines.contains(&"daemon got TERM".to_owned());
        assert_eq!(reached, !tree.is_empty(), "{tree}: {lines:?}");
    }
}

#[test]
fn as_catatonit_the_grace_period_kills_what_ignores_sigterm() {
    // catatonit signals nothing when its child exits; with a grace period
    // the rest of the tree is waited for, then killed.
    let Some(lines) = as_named(
        "podman-init",
        r#"
        DUMB_INIT_GRACE_PERIOD=0.3 "$INIT_AS" -- sh -c '
            (trap "" TERM; exec sleep 60) &
            echo $! > $W/left.pid; exit 4'
        echo "status $?"
        left=$(cat $W/left.pid)
        state=$(cut -d' ' -f3 /proc/$left/stat 2>/dev/null)
        case "$state" in ''|Z) echo "left gone" ;; *) echo "left running: $state" ;; esac
        "#,
    ) else {
        return;
    };
    assert_eq!(lines, ["status 4", "left gone"]);
}

#[test]
fn the_variable_picks_the_personality_over_the_name() {
    let version = |name: &str, personality: Option<&str>| {
        let scratch = Scratch::new("personality-version");
        let link = scratch.path(name);
        std::os::unix::fs::symlink(dumb_init(), &link).unwrap();
        let mut command = std::process::Command::new(&link);
        command.arg("--version");
        if let Some(value) = personality {
            command.env("DUMB_INIT_PERSONALITY", value);
        }
        let output = run(&mut command);
        (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (out, err) = version("dumb-init", None);
    assert!(out.is_empty() && err.starts_with("dumb-init v"), "{err}");
    let (out, _) = version("dumb-init", Some("tini"));
    assert!(out.starts_with("tini version 0.19.0 - git."), "{out}");
    let (out, _) = version("docker-init", None);
    assert!(out.starts_with("tini version 0.19.0 - git."), "{out}");
    let (out, _) = version("podman-init", None);
    assert!(out.ends_with("_catatonit\n"), "{out}");
    let (out, err) = version("tini", Some("dumb-init"));
    assert!(out.is_empty() && err.starts_with("dumb-init v"), "{err}");
    let (_, err) = version("tini", Some("runit"));
    assert!(
        err.ends_with(
            "invalid DUMB_INIT_PERSONALITY 'runit': expected dumb-init, tini or catatonit\n"
        ),
        "{err}"
    );
}
