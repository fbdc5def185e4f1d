package org.platformd.driver; final class Placeholder {}
