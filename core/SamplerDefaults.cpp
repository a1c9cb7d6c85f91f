#include "SamplerDefaults.h"

namespace ss {

double langevinStepLimit(double std) { return 4.0 * std * std; }

} // namespace ss
