# RubyGems oracle: Gem::Version (ruby's own rubygems).
# Protocol (see tests/common/mod.rs): `v\tVERSION` -> 1/0, `c\tA\tB` -> -1/0/1/E.
out = []
STDIN.each_line do |line|
  parts = line.chomp("\n").split("\t", -1)
  if parts[0] == "v"
    out << (Gem::Version.correct?(parts[1]) ? "1" : "0")
  elsif Gem::Version.correct?(parts[1]) && Gem::Version.correct?(parts[2])
    out << (Gem::Version.new(parts[1]) <=> Gem::Version.new(parts[2])).to_s
  else
    out << "E"
  end
end
STDOUT.write(out.map { |l| l + "\n" }.join)
