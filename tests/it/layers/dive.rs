//! dive's figures (`dive` in `regscope layers --json`) on the scenario image, worked out
//! by hand from dive's rules (dive/filetree/efficiency.go, dive/image/analysis.go), not by
//! running our code: per layer, the leaves of its own tar tree, visited by name.
//!
//! Layer 0 (19,700 bytes): etc/config 100, usr/bin/tool 5,000, apt lists 3,000 + 0,
//! opt/data/a 200, b 300, tmp/big 10,000, the PAX file 400, the GNU file 700, a hard link
//! and a symlink (0).
//! Layer 1 (6,200): etc/config 150, opt/data/c 50 (the opaque marker is never added),
//! tmp/.wh.big (a whited-out file weighs 0), usr/bin/tool 6,000.
//! Layer 2: empty. Layer 3 (120): `etc/.wh.nothing-here` sorts before `etc/config` and
//! names no lower path, so the visit of layer 3 ends there: /etc/nothing-here keeps
//! dive's smallest size of -1 and layer 3's etc/config and apt whiteout are not counted.
//!
//! Σ all copies = 250 + 11,000 + 10,000 + 3,000 + 200 + 300 + 50 + 400 + 700 = 25,900;
//! Σ smallest = 100 + 5,000 + 0 + 3,000 + 200 + 300 + 50 + 400 + 700 - 1 = 9,749.
//! Inefficient: /usr/bin/tool 11,000, /tmp/big 10,000, /etc/config 250 = 21,250 wasted;
//! user bytes (layers 1-3) 6,320.

use serde_json::{json, Value};

pub const EFFICIENCY: f64 = 9749.0 / 25900.0;
pub const WASTED: u64 = 21_250;
pub const USER: u64 = 6_320;

pub fn check_scenario_dive(d: &Value) {
    assert_eq!(
        *d,
        json!({
            "efficiency": EFFICIENCY,
            "wasted_bytes": WASTED,
            "user_size_bytes": USER,
            "wasted_user_percent": WASTED as f64 / USER as f64,
            "inefficient": [
                {"path": "/usr/bin/tool", "cumulative_size": 11_000, "layers": [0, 1]},
                {"path": "/tmp/big", "cumulative_size": 10_000, "layers": [0, 1]},
                {"path": "/etc/config", "cumulative_size": 250, "layers": [0, 1]},
            ],
        }),
        "{d:#}"
    );
}
