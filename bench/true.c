/* true.c: the program every tool runs in the benchmark, and the baseline.
 *
 * No C library, no start-up: `_start` exits at once. So what a tool's run
 * costs over this one's is the tool's own work, and its peak resident memory
 * is the tool's, not that of the program it ran. x86-64 Linux only.
 */
__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "\tmov $231, %eax\n" /* exit_group */
        "\txor %edi, %edi\n"
        "\tsyscall\n"
        "\thlt\n");
