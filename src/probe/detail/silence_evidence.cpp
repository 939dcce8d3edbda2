#include "probe/detail/silence_evidence.hpp"

namespace breakwater::probe {

unsigned silences_needed(double at_risk, double miss, unsigned least, unsigned most,
                         double max_wrong) {
  if (most < least) most = least;
  double wrong = at_risk;
  for (unsigned i = 0; i < least; ++i) wrong *= miss;
  unsigned k = least;
  for (; k < most && wrong > max_wrong; ++k) wrong *= miss;
  return k;
}

}  // namespace breakwater::probe
