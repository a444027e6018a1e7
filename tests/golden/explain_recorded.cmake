# Recorded goldens of `tcpscope explain` / `diagram` (tests/golden/explain_recorded.py): close
# kinds recorded by the test itself, compared with explain/recorded/ after normalising what changes
# between runs. The lab-recorded ones are named lab.* (the lab takes a lock: one lab at a time);
# all need root (a visible SKIP otherwise, a failure under CI=true).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
foreach(_recorded lost_syn simultaneous_close three_segment)
  if(_recorded STREQUAL "three_segment")
    set(_name explain_recorded_${_recorded})  # loopback + tcpdump, no lab
    set(_labels golden)
  else()
    set(_name lab.explain_recorded_${_recorded})
    set(_labels "golden;lab")
  endif()
  add_test(NAME ${_name}
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/explain_recorded.py ${_recorded}
                   --tcpscope $<TARGET_FILE:tcpscope>)
  set_tests_properties(${_name} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 200 RUN_SERIAL TRUE LABELS "${_labels}")
endforeach()
