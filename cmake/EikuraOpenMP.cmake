# OpenMP is required on Linux (the kernels are parallel over oscillators); elsewhere a
# serial build is allowed and eikura._core.has_openmp reports it.
find_package(OpenMP COMPONENTS CXX)
if(NOT OpenMP_CXX_FOUND)
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    message(FATAL_ERROR "OpenMP not found: eikura needs an OpenMP-capable C++ compiler on Linux")
  endif()
  message(WARNING "OpenMP not found: building eikura single-threaded")
  add_library(OpenMP::OpenMP_CXX INTERFACE IMPORTED)
endif()
