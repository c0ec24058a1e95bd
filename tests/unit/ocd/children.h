/* children.h - teardown shared by the live OpenOCD tests. */
#ifndef SWD_TEST_OCD_CHILDREN_H
#define SWD_TEST_OCD_CHILDREN_H

/* After a failed assertion a test leaves its children (OpenOCD, the simulator) running:
 * kills every direct child of this process so none outlives the test. A cmocka teardown;
 * returns 0. */
int ocdtest_kill_children(void **state);

#endif
