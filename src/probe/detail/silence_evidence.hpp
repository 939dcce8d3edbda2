// How many silences make a port stealth. A silence is evidence that nothing answers only as far
// as the path does not lose answers (and, for the ICMP re-check, as far as the target's limit
// could not have swallowed an error). With `at_risk` ports that would have answered, each silent
// on one try with chance `miss`, the expected number called stealth after k silences each is
// at_risk x miss^k: a scan takes the fewest k that keep it under max_expected_wrong.
#pragma once

namespace breakwater::probe {

// Wrong stealth verdicts a scan may expect: one scan in a hundred with one.
inline constexpr double max_expected_wrong = 0.01;
// Tries a lossy path may raise a scan's silent ports to (unless more were asked for): a path
// that needs more would make a scan take several times as long.
inline constexpr unsigned max_tries_on_loss = 8;

// The fewest silences, from `least` up to `most`, that keep at_risk x miss^k under `max_wrong`
// (`most` when none does).
unsigned silences_needed(double at_risk, double miss, unsigned least, unsigned most,
                         double max_wrong = max_expected_wrong);

}  // namespace breakwater::probe
