#!/usr/bin/env bash
# Builds tiffshard_VERSION_ARCH.deb from an already built binary, with dpkg-deb (no network,
# no debhelper, no fakeroot: --root-owner-group makes every file root:root).
#
#   packaging/build-deb.sh BINARY [OUTDIR]      (make deb does this; OUTDIR defaults to the repo root)
#
# VERSION comes from packaging/VERSION (the one place it is written). Depends: is what the binary
# needs, computed by dpkg-shlibdeps from its NEEDED entries, plus the library the image kernel
# dlopen()s on its first cv::imread fallback (libopencv_imgcodecs, same soname version as the
# libopencv_core it links: lazy_imread.cpp builds the name from CV_VERSION), plus systemd's
# sysusers/tmpfiles for the maintainer scripts.
# The units are systemd/*.service with the binary and doc paths of a /usr install.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
binary=${1:?usage: build-deb.sh BINARY [OUTDIR]}
outdir=${2:-$repo}
version=$(tr -d '[:space:]' <"$repo/packaging/VERSION")
arch=$(dpkg --print-architecture)
name=tiffshard_${version}_${arch}
stage=$repo/.build-deb/$name
work=$repo/.build-deb/work

rm -rf "$stage" "$work"
mkdir -p "$stage/DEBIAN" "$work/debian"

# --- files -------------------------------------------------------------------------------------
install -D -m 0755 "$binary" "$stage/usr/bin/tiffshard"
# As dh_strip would (the debug info would go to a -dbgsym package; not built here).
strip --strip-unneeded --remove-section=.comment "$stage/usr/bin/tiffshard"
for unit in tiffshard.service tiffshard@.service; do
    install -D -m 0644 /dev/null "$stage/lib/systemd/system/$unit"
    sed -e 's|/usr/local/bin/tiffshard|/usr/bin/tiffshard|g' \
        -e 's|/usr/local/share/doc/tiffshard/|/usr/share/doc/tiffshard/|g' \
        "$repo/systemd/$unit" >"$stage/lib/systemd/system/$unit"
done
install -D -m 0644 "$repo/systemd/tiffshard.sysusers" "$stage/usr/lib/sysusers.d/tiffshard.conf"
install -D -m 0644 "$repo/systemd/tiffshard.tmpfiles" "$stage/usr/lib/tmpfiles.d/tiffshard.conf"
install -D -m 0644 "$repo/config/tiffshard.yaml" "$stage/etc/tiffshard/tiffshard.yaml"
# Uncompressed: the units' Documentation=file:/usr/share/doc/tiffshard/README.md points at it.
install -D -m 0644 "$repo/README.md" "$stage/usr/share/doc/tiffshard/README.md"
install -D -m 0644 "$repo/packaging/debian/copyright" "$stage/usr/share/doc/tiffshard/copyright"

# --- dependencies ------------------------------------------------------------------------------
# dpkg-shlibdeps wants a debian/control naming the package; it reads nothing else from it.
printf 'Source: tiffshard\n\nPackage: tiffshard\nArchitecture: %s\n' "$arch" >"$work/debian/control"
shlibs=$(cd "$work" && dpkg-shlibdeps -O -e"$stage/usr/bin/tiffshard" 2>"$work/shlibdeps.log" |
         sed -n 's/^shlibs:Depends=//p')
[[ -n $shlibs ]] || { cat "$work/shlibdeps.log" >&2; echo "build-deb: dpkg-shlibdeps found nothing" >&2; exit 1; }

# The dlopen()ed imgcodecs: the soname version of the libopencv_core we link, resolved through
# ldconfig to its file, its package, and that package's shlibs line (as dpkg-shlibdeps does for NEEDED).
core=$(objdump -p "$stage/usr/bin/tiffshard" | awk '$1 == "NEEDED" && $2 ~ /^libopencv_core\.so\./ {print $2}')
[[ -n $core ]] || { echo "build-deb: binary does not link libopencv_core" >&2; exit 1; }
soversion=${core#libopencv_core.so.}
lib=$(ldconfig -p | awk -v so="libopencv_imgcodecs.so.$soversion" '$1 == so {print $NF; exit}')
[[ -n $lib ]] || { echo "build-deb: libopencv_imgcodecs.so.$soversion not installed" >&2; exit 1; }
pkg=$(dpkg -S "$(readlink -f "$lib")" | head -n 1 | cut -d: -f1)
imgcodecs=$(awk -v v="$soversion" '$1 == "libopencv_imgcodecs" && $2 == v {$1 = ""; $2 = ""; sub(/^ +/, ""); print; exit}' \
            "$(dpkg-query --control-path "$pkg" shlibs)")
[[ -n $imgcodecs ]] || imgcodecs=$pkg

depends="$shlibs, $imgcodecs, systemd | systemd-standalone-sysusers, systemd | systemd-standalone-tmpfiles"

# --- control -----------------------------------------------------------------------------------
installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$installed_size/" \
    -e "s/@DEPENDS@/$depends/" "$repo/packaging/debian/control.in" >"$stage/DEBIAN/control"
echo /etc/tiffshard/tiffshard.yaml >"$stage/DEBIAN/conffiles"
install -m 0755 "$repo/packaging/debian/postinst" "$repo/packaging/debian/prerm" \
    "$repo/packaging/debian/postrm" "$stage/DEBIAN/"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
    xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/md5sums" "$stage/DEBIAN/conffiles" "$stage/DEBIAN/control"

# Directories 0755 whatever the umask; contents owned by root (--root-owner-group).
find "$stage" -type d -exec chmod 0755 {} +
mkdir -p "$outdir"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$outdir/$name.deb" >/dev/null
echo "$outdir/$name.deb"
