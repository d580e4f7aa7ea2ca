//! Under `:platform` the PLATFORMS cell leads with the chosen platform, the one the filter
//! kept the row for; without it, the image's first.

use super::Harness;
use crate::app::inventory_event as ev;
use crate::app::testing::fleet_images;

#[test]
fn the_platforms_cell_leads_with_the_chosen_platform() {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["web"]));
    h.inventory(ev::images("prod", "web", fleet_images("web", 12)));
    h.inventory(ev::finished("prod", None));
    h.keys("G enter");
    let screen = h.screen(220, 20);
    assert!(screen.contains("PLATFORMS"), "{screen}");
    assert!(screen.contains("linux/amd64 +1"), "{screen}");
    h.keys(":");
    h.type_text("platform linux/arm64");
    h.keys("enter");
    let screen = h.screen(220, 20);
    assert!(screen.contains("linux/arm64/v8 +1"), "{screen}");
    assert!(!screen.contains("linux/amd64 +1"), "{screen}");
}
