// One row of the doctor's table: a name, what it looks at.
package org.platformd.driver.doctor;

import java.util.List;
import java.util.function.Function;

/**
 * One row of the doctor's table: a name, what it looks at (for {@code --help} and the README), and the
 * function from what was examined to its verdicts (one or more lines).
 */
public record Check(String name, String looksAt, Function<Examined, List<Verdict>> run) {
}
