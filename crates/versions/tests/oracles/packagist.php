<?php
// Packagist oracle: PHP's version_compare, after Composer's stripping of a
// leading v before a digit. version_compare accepts every string.
// Protocol (see tests/common/mod.rs): `v\tVERSION` -> 1/0, `c\tA\tB` -> -1/0/1/E.
$out = [];
$strip = fn($v) => preg_replace('/^[vV](?=[0-9])/', '', trim($v));
while (($line = fgets(STDIN)) !== false) {
    $parts = explode("\t", rtrim($line, "\n"));
    if ($parts[0] === 'v') {
        $out[] = '1';
    } else {
        $out[] = (string) version_compare($strip($parts[1]), $strip($parts[2]));
    }
}
echo implode("\n", $out), count($out) ? "\n" : '';
