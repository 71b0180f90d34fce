/* nolibc.h: system calls and a start-up for programs built without a C
 * library (-nostdlib -static): the benchmark's floor and its memory probe.
 * x86-64 Linux only.
 */
#ifndef NOLIBC_H
#define NOLIBC_H

/* The kernel's calling convention: number in rax, arguments in rdi, rsi,
 * rdx, r10, r8, r9; rcx and r11 are clobbered. */
static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

#define SYS(n, a, b, c, d, e) sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

static void __attribute__((noreturn)) sys_exit(int code)
{
    for (;;)
        SYS(231 /* exit_group */, code, 0, 0, 0, 0);
}

int nolibc_main(int argc, char **argv, char **envp);

/* The kernel starts us with argc, then argv and envp, on the stack. */
__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "\txor %ebp, %ebp\n"
        "\tmov %rsp, %rdi\n"
        "\tand $-16, %rsp\n"
        "\tcall nolibc_start\n"
        "\thlt\n");

__attribute__((used, noreturn)) void nolibc_start(long *sp)
{
    int argc = sp[0];
    char **argv = (char **)(sp + 1);
    sys_exit(nolibc_main(argc, argv, argv + argc + 1));
}

#endif
