#include <iostream>

int main() {
    std::cout << "Hello from rex!" << std::endl;
    return 0;
}
