package org.platformd.bridge; final class Placeholder {}
