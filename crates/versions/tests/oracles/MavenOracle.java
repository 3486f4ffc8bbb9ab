// Maven oracle: org.apache.maven.artifact.versioning.ComparableVersion from
// the installed Maven (compiled at test time against maven-artifact-*.jar).
// ComparableVersion accepts every string.
// Protocol (see tests/common/mod.rs): `v\tVERSION` -> 1/0, `c\tA\tB` -> -1/0/1/E.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.maven.artifact.versioning.ComparableVersion;

public class MavenOracle {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            String[] parts = line.split("\t", -1);
            if (parts[0].equals("v")) {
                out.append("1\n");
            } else {
                int r = new ComparableVersion(parts[1]).compareTo(new ComparableVersion(parts[2]));
                out.append(r < 0 ? "-1" : r > 0 ? "1" : "0").append('\n');
            }
        }
        System.out.print(out);
    }
}
