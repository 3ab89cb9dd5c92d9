// Position and Diagnostic: where in which file something is, and what is
// wrong (or suspicious) there.
//
// The model: every message kubesim prints about its input names a place a
// user can jump to, as compilers do — `FILE:LINE:COLUMN: error: MESSAGE`
// (README.md). Lines and columns are 1-based (yaml-cpp's marks are 0-based; the
// loader converts once, when it records them). A Position with line 0 is "the
// file as a whole" (it could not be opened, say) and prints as `FILE: error:`.
// Errors make the input invalid (exit 2); warnings (a kind kubesim does not
// simulate, say) are printed and the input is still used.
#ifndef KUBESIM_K8S_DIAGNOSTIC_H_
#define KUBESIM_K8S_DIAGNOSTIC_H_

#include <string>
#include <vector>

namespace kubesim::k8s {

// A place in an input file. Lines and columns count from 1; line 0 means the
// place is the file itself.
struct Position {
  std::string file;
  int line = 0;
  int column = 0;

  bool operator==(const Position&) const = default;
};

enum class Severity { kError, kWarning };

// One message about the input.
struct Diagnostic {
  Severity severity = Severity::kError;
  Position position;
  std::string message;

  // "FILE:LINE:COL: error: MESSAGE" (or "FILE: error: MESSAGE" with no line).
  std::string ToString() const;
};

using Diagnostics = std::vector<Diagnostic>;

// True if any diagnostic is an error.
bool HasErrors(const Diagnostics& diagnostics);

}  // namespace kubesim::k8s

#endif  // KUBESIM_K8S_DIAGNOSTIC_H_
