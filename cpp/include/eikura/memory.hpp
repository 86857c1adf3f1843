#pragma once
/// Allocation for the tables that the sparse kernel reads at random.
#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace eikura {

/// A std::allocator that backs large arrays with 2 MiB pages where the OS allows it.
///
/// The sparse gather reads sin θ_j, cos θ_j at random from a table of 16 N bytes. With
/// 4 KiB pages a 16 MB table spans 4096 pages, more than the TLB holds, so most reads
/// also pay a page walk; with 2 MiB pages it spans 8. Linux gives huge pages to a region
/// advised with MADV_HUGEPAGE before it is first touched (THP mode "madvise" or "always");
/// elsewhere this is plain aligned memory.
template <class T>
struct HugePageAllocator {
    using value_type = T;
    static constexpr std::size_t huge_page = std::size_t{2} << 20;

    HugePageAllocator() = default;
    template <class U>
    HugePageAllocator(const HugePageAllocator<U>&) noexcept {}

    T* allocate(std::size_t count) {
        const std::size_t bytes = count * sizeof(T);
        if (bytes < huge_page) {
            return static_cast<T*>(::operator new(bytes));
        }
        const std::size_t rounded = (bytes + huge_page - 1) / huge_page * huge_page;
        void* memory = std::aligned_alloc(huge_page, rounded);
        if (!memory) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
        ::madvise(memory, rounded, MADV_HUGEPAGE);  // advice only: failure is harmless
#endif
        return static_cast<T*>(memory);
    }

    void deallocate(T* memory, std::size_t count) noexcept {
        if (count * sizeof(T) < huge_page) ::operator delete(memory);
        else std::free(memory);
    }

    template <class U>
    bool operator==(const HugePageAllocator<U>&) const noexcept { return true; }
    template <class U>
    bool operator!=(const HugePageAllocator<U>&) const noexcept { return false; }
};

/// A vector whose large buffers use huge pages (see HugePageAllocator).
template <class T>
using HugePageVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace eikura
