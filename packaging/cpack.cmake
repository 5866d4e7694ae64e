# CPack settings for the Debian package, included by the top-level CMakeLists.txt before
# include(CPack). Build it with `cpack -G DEB` in the build folder (docs/packaging.md).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME parallax)
set(CPACK_PACKAGE_VENDOR "The Parallax developers")
set(PARALLAX_PACKAGE_MAINTAINER "Parallax maintainers <maintainers@parallax.invalid>"
    CACHE STRING "Maintainer field of the Debian package")
set(CPACK_PACKAGE_CONTACT "${PARALLAX_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "run AI coding agents side by side in Docker")
set(CPACK_PACKAGE_DESCRIPTION
    "Parallax launches one prompt as several variations (different models,
agents, settings, or just N repeats), each in its own Docker container, and
streams every variation's output live into its own pane, side by side. Every
byte is recorded as it arrives, so nothing is lost when Docker restarts or
Parallax is killed.
.
It includes agent presets, run history with exports to Markdown, HTML, JSON
and text, and a command line (parallax run, resume, history, show, export,
doctor). It talks to the Docker Engine API over a local unix socket and also
works with rootless Docker and Podman.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${PARALLAX_HOMEPAGE}")
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Libraries the binary links come from dpkg-shlibdeps; what Qt loads as plugins at run time
# does not show up there: SQLite for the history, the xcb/wayland platform plugins for the
# window.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite, qt6-qpa-plugins")
# Parallax needs a container engine to run anything but can live without one on this machine
# (it may come from another package, such as docker-ce); the SVG plugin draws the window icon.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "docker.io | podman, libqt6svg6")
# Secret values live in the desktop's keychain when a Secret Service answers; without one
# Parallax falls back to environment variables.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "gnome-keyring")
