#===- AddQlip.cmake - qlip's CMake helpers --------------------------------===//
#
# Thin wrappers so every qlip library is built, linked and installed the same
# way: static, position independent, linked against the shared libMLIR and
# libLLVM, and exported in the QlipTargets set that QlipConfig.cmake loads.
#
#===----------------------------------------------------------------------===//

# In a QLIP_SANITIZE build, whatever links a qlip library (a host
# compiler, an ahead-of-time program with the kernels) needs the sanitizer
# runtimes too: the libraries say so in their interface, which the
# installed package exports.
function(qlip_sanitize_interface name)
  if(QLIP_SANITIZE)
    target_link_options(${name} INTERFACE
      -fsanitize=address,undefined -fno-sanitize=vptr)
  endif()
endfunction()

# The sanitizers' default options, built into an executable.
function(qlip_sanitize_executable name)
  if(QLIP_SANITIZE)
    target_sources(${name} PRIVATE
      ${QLIP_SOURCE_DIR}/lib/Support/SanitizerDefaults.cpp)
  endif()
endfunction()

# add_qlip_library(name sources...
#   [DEPENDS targets...] [LINK_LIBS libs...] [LINK_COMPONENTS components...])
function(add_qlip_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;LINK_LIBS;LINK_COMPONENTS" ${ARGN})
  add_library(${name} STATIC ${ARG_UNPARSED_ARGUMENTS})
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  # LLVM components and MLIR libraries all live in the two shared libraries.
  target_link_libraries(${name} PUBLIC ${ARG_LINK_LIBS} MLIR LLVM)
  qlip_sanitize_interface(${name})
  target_include_directories(${name} PUBLIC
    $<INSTALL_INTERFACE:include>)
  set_property(GLOBAL APPEND PROPERTY QLIP_LIBS ${name})
  install(TARGETS ${name} EXPORT QlipTargets
    ARCHIVE DESTINATION lib
    LIBRARY DESTINATION lib)
endfunction()

# add_qlip_dialect_library(name sources... ) - a library that depends on the
# generated headers of the dialects.
function(add_qlip_dialect_library name)
  add_qlip_library(${name} ${ARGN} DEPENDS qlip-headers)
  set_property(GLOBAL APPEND PROPERTY QLIP_DIALECT_LIBS ${name})
endfunction()

# add_qlip_tool(name sources... [NO_INSTALL] [LINK_LIBS libs...]) - a tool
# in bin/, installed unless NO_INSTALL (the benchmarks).
function(add_qlip_tool name)
  cmake_parse_arguments(ARG "NO_INSTALL" "" "LINK_LIBS" ${ARGN})
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  # Installed, a tool finds the shared libMLIR and libLLVM where the build
  # found them, with no LD_LIBRARY_PATH (RUNPATH).
  set_target_properties(${name} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${QLIP_TOOLS_DIR}
    INSTALL_RPATH "${LLVM_LIBRARY_DIR}")
  target_link_libraries(${name} PRIVATE ${ARG_LINK_LIBS} QlipSupport MLIR LLVM)
  qlip_sanitize_executable(${name})
  if(NOT ARG_NO_INSTALL)
    install(TARGETS ${name} RUNTIME DESTINATION bin)
  endif()
endfunction()

# add_qlip_unittest(sources... [LINK_LIBS libs...]) - every unit test joins
# the one GoogleTest binary `qlip-unittests`.
function(add_qlip_unittest)
  cmake_parse_arguments(ARG "" "" "LINK_LIBS" ${ARGN})
  foreach(src ${ARG_UNPARSED_ARGUMENTS})
    target_sources(qlip-unittests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/${src})
  endforeach()
  if(ARG_LINK_LIBS)
    target_link_libraries(qlip-unittests PRIVATE ${ARG_LINK_LIBS})
  endif()
endfunction()
