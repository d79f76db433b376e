#===- QlipInstall.cmake - the installed CMake package --------------------===//
#
# `cmake --install` writes headers (source and generated), the static
# libraries, the tools, and lib/cmake/qlip/QlipConfig.cmake so another
# project can `find_package(Qlip)` and link `Qlip::QlipInitAll`.
#
#===----------------------------------------------------------------------===//

include(CMakePackageConfigHelpers)

install(DIRECTORY include/qlip DESTINATION include
  FILES_MATCHING PATTERN "*.h")
install(DIRECTORY dialects DESTINATION include
  FILES_MATCHING PATTERN "*.h" PATTERN "*.td")
# Generated headers: the dialects' ODS output and the pass declarations
# that include/qlip/*/Passes.h include.
install(DIRECTORY ${CMAKE_BINARY_DIR}/dialects ${CMAKE_BINARY_DIR}/include/qlip
  DESTINATION include
  FILES_MATCHING PATTERN "*.inc"
  PATTERN "CMakeFiles" EXCLUDE)

install(EXPORT QlipTargets NAMESPACE Qlip::
  DESTINATION lib/cmake/qlip)

get_property(QLIP_EXPORTED_LIBS GLOBAL PROPERTY QLIP_LIBS)
configure_package_config_file(
  ${CMAKE_CURRENT_SOURCE_DIR}/cmake/QlipConfig.cmake.in
  ${CMAKE_BINARY_DIR}/lib/cmake/qlip/QlipConfig.cmake
  INSTALL_DESTINATION lib/cmake/qlip)
write_basic_package_version_file(
  ${CMAKE_BINARY_DIR}/lib/cmake/qlip/QlipConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES
  ${CMAKE_BINARY_DIR}/lib/cmake/qlip/QlipConfig.cmake
  ${CMAKE_BINARY_DIR}/lib/cmake/qlip/QlipConfigVersion.cmake
  DESTINATION lib/cmake/qlip)
